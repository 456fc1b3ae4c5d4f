/** Reads a zip's central directory: what each entry holds and the headers a reproducible zip fixes. */
import { inflateRawSync } from "node:zlib";

export interface ZipEntry {
  readonly name: string;
  readonly data: Buffer;
  /** Compression method: 0 stored, 8 deflated. */
  readonly method: number;
  /** Unix mode from the external attributes (0 when the zip was not made on Unix). */
  readonly mode: number;
  readonly dosTime: number;
  readonly dosDate: number;
  readonly crc: number;
  /** Length of the local header's extra field. */
  readonly localExtra: number;
}

export function readZip(zip: Buffer): ZipEntry[] {
  const entries: ZipEntry[] = [];
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error("not a zip: no end of central directory record");
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error(`central directory entry ${i} has a bad signature`);
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const local = zip.readUInt32LE(offset + 42);
    if (zip.readUInt32LE(local) !== 0x04034b50) throw new Error(`local header of entry ${i} has a bad signature`);
    const name = zip.subarray(offset + 46, offset + 46 + nameLength).toString("utf8");
    const localExtra = zip.readUInt16LE(local + 28);
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + localExtra;
    const raw = zip.subarray(dataStart, dataStart + compressedSize);
    entries.push({
      name,
      data: method === 8 ? inflateRawSync(raw) : Buffer.from(raw),
      method,
      mode: zip.readUInt32LE(offset + 38) >>> 16,
      dosTime: zip.readUInt16LE(offset + 12),
      dosDate: zip.readUInt16LE(offset + 14),
      crc: zip.readUInt32LE(offset + 16),
      localExtra,
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
