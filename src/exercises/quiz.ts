/**
 * The quiz's check: a choice per scenario against the catalog's answer, no server involved. Part
 * of the check library (checks.ts re-exports it), alone so that the quiz's page script loads only this.
 */

/** The result of one quiz scenario: right, wrong or not answered, naming both answers. */
export interface QuizResult {
  id: string;
  state: 'passed' | 'failed';
  key: 'quiz.right' | 'quiz.wrong' | 'quiz.unanswered';
  values: { chosen: string; answer: string };
}

/** Checks a quiz's answers (scenario id to technique); every scenario gets a result. */
export function evaluateQuiz(scenarios: readonly { id: string; answer: string }[], answers: Readonly<Record<string, string | undefined>>): { state: 'passed' | 'wrong'; results: QuizResult[] } {
  const results = scenarios.map((scenario): QuizResult => {
    const chosen = answers[scenario.id];
    if (chosen === undefined || chosen === '') return { id: scenario.id, state: 'failed', key: 'quiz.unanswered', values: { chosen: '', answer: scenario.answer } };
    const right = chosen === scenario.answer;
    return { id: scenario.id, state: right ? 'passed' : 'failed', key: right ? 'quiz.right' : 'quiz.wrong', values: { chosen, answer: scenario.answer } };
  });
  return { state: results.every((r) => r.state === 'passed') ? 'passed' : 'wrong', results };
}
