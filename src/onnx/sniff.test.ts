// Text detection is strict UTF-8: real text in any script is "text", binary junk never is.
import { describe, expect, it } from 'vitest';
import { looksLikeText, sniffNonOnnx } from './sniff';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('looksLikeText', () => {
  it('accepts ASCII, JSON and non-Latin UTF-8, even when the 1 KiB window cuts a character', () => {
    expect(looksLikeText(enc('cat\ndog\n'))?.kind).toBe('a text file');
    expect(looksLikeText(enc('  {"a": 1}'))?.kind).toBe('a JSON text file');
    expect(looksLikeText(enc('猫'.repeat(500)))).toBeDefined();
  });

  it('rejects bytes that never occur in UTF-8 and control characters', () => {
    expect(looksLikeText(new Uint8Array([0x08, 0x07, ...new Array(64).fill(0xff)]))).toBeUndefined();
    expect(looksLikeText(new Uint8Array([0x61, 0x00, 0x62]))).toBeUndefined();
  });
});

describe('sniffNonOnnx', () => {
  it('leaves a protobuf-looking start alone', () => {
    expect(sniffNonOnnx(new Uint8Array([0x08, 0x07, 0x12, 0x04]))).toBeUndefined();
  });
});
