import { afterAll, afterEach, expect } from '@jest/globals';
import { stdoutEmfLines } from './emf-capture.js';
import { emfViolations } from './emf-specification.js';

// The example's order handlers write an EMF line per invocation to stdout: every test file captures them instead of
// printing them, and a test fails when a line it caused breaks the EMF specification (CloudWatch would drop its metrics).
const emfLines = stdoutEmfLines();

const expectValidEmfLines = () => {
  const violations = emfLines.take().flatMap((line) => emfViolations(line).map((violation) => `${violation}: ${line}`));
  expect(violations).toEqual([]);
};

afterEach(expectValidEmfLines);
afterAll(expectValidEmfLines);
