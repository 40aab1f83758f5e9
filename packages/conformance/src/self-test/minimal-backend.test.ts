import { describeBackend } from '../describe-backend.js';
import { MinimalBackend } from './minimal-backend.fixture.js';

// The whole kit on a backend with no fast paths: every fallback of the kit and of the map is exercised.
describeBackend({ name: 'minimal (required methods only)', create: () => new MinimalBackend() });
