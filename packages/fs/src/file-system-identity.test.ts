/**
 * Guarantee: the disk a FileSystem stands for is the object under its identity symbol when
 * there is one, and the machine's real disk otherwise, a null identity included (it cannot
 * key the process-wide tables, and must not break them).
 */
import { describe, expect, it } from 'vitest';
import type { FileSystem } from './file-system.js';
import { fileSystemIdentity, identityOf } from './file-system-identity.js';
import { nodeFileSystem } from './node-file-system.js';
import { SimulatedDisk } from './simulated-disk.js';

describe('identityOf', () => {
  it('is the simulated disk for the disk and every mount of it', () => {
    const disk = new SimulatedDisk();
    expect(identityOf(disk.mount())).toBe(identityOf(disk));
    expect(identityOf(disk)).not.toBe(identityOf(nodeFileSystem));
  });

  it('is the real disk for a wrapper without an identity, and for one whose identity is null', () => {
    const wrapper: FileSystem = { ...nodeFileSystem };
    const nullIdentity = { ...nodeFileSystem, [fileSystemIdentity]: null } as FileSystem;
    expect(identityOf(wrapper)).toBe(identityOf(nodeFileSystem));
    expect(identityOf(nullIdentity)).toBe(identityOf(nodeFileSystem));
  });
});
