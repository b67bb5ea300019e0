/**
 * CRC32C (Castagnoli), the checksum Secret Manager stores with every payload
 * (`payload.data_crc32c`) so clients can detect corruption in transit.
 * https://cloud.google.com/secret-manager/docs/data-integrity
 * Node 20 has no built-in CRC32C, hence this table-driven implementation.
 */
const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
