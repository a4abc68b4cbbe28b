import { createReadStream } from 'node:fs'
import { createGunzip } from 'node:zlib'

const BLOCK = 512

/**
 * Reads a gzipped tar archive to its end and returns its entry names. Throws when the gzip stream
 * is damaged or cut short, a header's checksum is wrong, or the end-of-archive marker is missing.
 */
export async function listTarGz(file: string): Promise<string[]> {
  const entries: string[] = []
  const gunzip = createGunzip()
  const input = createReadStream(file)
  input.on('error', (error) => gunzip.destroy(error))
  let buffer: Buffer = Buffer.alloc(0)
  let skip = 0
  let zeroBlocks = 0
  for await (const chunk of input.pipe(gunzip)) {
    buffer = buffer.length ? Buffer.concat([buffer, chunk as Buffer]) : (chunk as Buffer)
    while (true) {
      if (skip > 0) {
        const n = Math.min(skip, buffer.length)
        skip -= n
        buffer = buffer.subarray(n)
        if (skip > 0) break
      }
      if (zeroBlocks >= 2 || buffer.length < BLOCK) break
      const header = buffer.subarray(0, BLOCK)
      buffer = buffer.subarray(BLOCK)
      if (header.every((byte) => byte === 0)) {
        zeroBlocks += 1
        continue
      }
      if (zeroBlocks > 0) throw new Error('a tar header follows an end-of-archive block')
      if (!checksumOk(header)) throw new Error(`tar header ${entries.length + 1} has a wrong checksum`)
      const size = octal(header.subarray(124, 136))
      const name = text(header.subarray(0, 100))
      const prefix =
        header.subarray(257, 262).toString('latin1') === 'ustar' ? text(header.subarray(345, 500)) : ''
      entries.push(prefix ? `${prefix}/${name}` : name)
      skip = Math.ceil(size / BLOCK) * BLOCK
    }
  }
  if (zeroBlocks < 1 || skip > 0) throw new Error('the tar archive ends before its end-of-archive marker')
  return entries
}

const text = (bytes: Buffer) => {
  const end = bytes.indexOf(0)
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString('utf8')
}

function octal(bytes: Buffer): number {
  const value = text(bytes).trim()
  if (!/^[0-7]*$/.test(value)) throw new Error('a tar header has an invalid size')
  return value ? Number.parseInt(value, 8) : 0
}

function checksumOk(header: Buffer): boolean {
  let sum = 0
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!
  return octal(header.subarray(148, 156)) === sum
}
