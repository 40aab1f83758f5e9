import { describeBackend } from '@stowage/conformance';
import { MemoryBackend } from './memory-backend.js';

describeBackend({ name: 'memory', create: () => new MemoryBackend() });
