import fc from 'fast-check';
import { testSeed } from './seed.js';

// Every fast-check property of a test file runs from the file's seed; a failure prints it, and FAULT_SEED replays it.
fc.configureGlobal({ seed: testSeed });
