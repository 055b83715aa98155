/**
 * Stops `npm start`, `npm test` and the other scripts on a Node.js too old for the project,
 * with a sentence that says how to get a new one, before anything fails with a stack trace.
 * Plain CommonJS in old syntax on purpose: it must run on any Node.js, however old.
 *
 *   node scripts/check-node.cjs && node server/main.ts
 */
'use strict';

/** The oldest Node.js the project runs on: 22.18 strips TypeScript types natively. */
var REQUIRED = [22, 18];

/** On the 23 line, type stripping without a flag came in 23.6. */
var REQUIRED_23 = [23, 6];

/** Null when `version` (such as "22.18.0") is new enough, else the message that says what to do. */
function checkNode(version) {
  var parts = String(version).replace(/^v/, '').split('.');
  var major = Number(parts[0]);
  var minor = Number(parts[1]);
  if (major > REQUIRED_23[0] || (major === REQUIRED_23[0] && minor >= REQUIRED_23[1])) return null;
  if (major === REQUIRED[0] && minor >= REQUIRED[1]) return null;
  return [
    'Realtime Lab needs Node.js ' + REQUIRED.join('.') + ' or newer (' + REQUIRED_23.join('.') + ' or newer on the 23 line); you have ' + String(version).replace(/^v/, '') + '.',
    '',
    'Get a current Node.js (24 is the long-term support line) in one of these ways:',
    '  - with nvm:         nvm install 24 && nvm use 24',
    '  - from nodejs.org:  https://nodejs.org/en/download',
    '  - from npm, without a global install (as .ci/run does):',
    '      npm install --prefix ~/.cache/node24 node@24',
    '      export PATH="$HOME/.cache/node24/node_modules/.bin:$PATH"',
    'Then run the command again.',
  ].join('\n');
}

module.exports = { checkNode: checkNode, REQUIRED: REQUIRED, REQUIRED_23: REQUIRED_23 };

if (require.main === module) {
  var message = checkNode(process.versions.node);
  if (message) {
    console.error(message);
    process.exit(1);
  }
}
