// One buffer out of pieces that arrived apart (views into the transport's data events), each
// piece copied once: a pairwise join would copy the whole again for every piece, which a body of
// thousands of one-byte chunks turns quadratic.

/** The pieces copied into one new buffer of exactly their bytes (`total`, when the caller counted them). */
export function joined(pieces: readonly Uint8Array[], total?: number): Uint8Array<ArrayBuffer> {
  if (total === undefined) {
    total = 0
    for (const piece of pieces) total += piece.byteLength
  }
  const out = new Uint8Array(total)
  let at = 0
  for (const piece of pieces) {
    out.set(piece, at)
    at += piece.byteLength
  }
  return out
}
