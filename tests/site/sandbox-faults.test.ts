/**
 * A Sandbox's `faults` attribute is checked at build time: what the faults API would refuse
 * fails the build, with a sentence that names the sandbox, the field, what it got and what is allowed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSandboxFaults, SandboxSourceError } from '../../src/sandbox/build/sandbox-source.ts';

describe('the faults attribute of a Sandbox', () => {
  it('is passed on as JSON when every fault is one the API takes', () => {
    assert.equal(parseSandboxFaults('{"dropAfter":3}', 'T'), '{"dropAfter":3}');
    assert.equal(
      parseSandboxFaults('{"latencyMs":200,"jitterMs":100,"proxyBuffering":4096,"refuseReconnects":{"status":204,"count":5},"historyLimit":5,"restart":true}', 'T'),
      '{"latencyMs":200,"jitterMs":100,"proxyBuffering":4096,"refuseReconnects":{"status":204,"count":5},"historyLimit":5,"restart":true}',
    );
  });

  it('is nothing when the sandbox has none', () => {
    assert.equal(parseSandboxFaults(undefined, 'T'), '');
  });

  it('fails on JSON that does not parse, naming the sandbox', () => {
    assert.throws(() => parseSandboxFaults("{dropAfter:3}", 'Drop it'), (error: Error) => error instanceof SandboxSourceError && /Sandbox "Drop it": faults must be JSON/.test(error.message));
  });

  it('fails on a misspelt fault, listing the faults there are', () => {
    assert.throws(() => parseSandboxFaults('{"dropafter":3}', 'T'), /unknown fault "dropafter" in faults; the faults are latencyMs, jitterMs, proxyBuffering, dropAfter, refuseReconnects, historyLimit, restart/);
  });

  it('fails on a value out of range, saying what it got and what is allowed', () => {
    assert.throws(() => parseSandboxFaults('{"latencyMs":20000}', 'T'), /faults\.latencyMs must be an integer from 0 to 10000; received 20000/);
    assert.throws(() => parseSandboxFaults('{"refuseReconnects":{"status":302}}', 'T'), /faults\.refuseReconnects must be \{"status": 204\|404\|500\|503/);
    assert.throws(() => parseSandboxFaults('{"restart":"yes"}', 'T'), /faults\.restart must be true or false; received "yes"/);
  });

  it('fails on something other than an object with at least one fault', () => {
    assert.throws(() => parseSandboxFaults('[]', 'T'), /must be a JSON object/);
    assert.throws(() => parseSandboxFaults('{}', 'T'), /must be a JSON object with at least one of/);
  });
});
