/** node:tls takes PEM as a string or a Buffer; a Uint8Array is viewed as a Buffer without copying. */
export function pemInput(value: string | Uint8Array): string | Buffer {
  return typeof value === 'string' ? value : Buffer.from(value.buffer, value.byteOffset, value.length);
}
