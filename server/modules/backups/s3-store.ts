import { randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { rename, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3'
import type { Config } from '../../config.ts'
import type { BackupStore } from './store.ts'

/**
 * Backup files in an S3-compatible bucket (AWS S3, MinIO, Cloudflare R2, …), each at
 * `prefix + name`. Uploads stream the file (multipart above one part) and are checked by size
 * afterwards; downloads go to a temporary file beside the destination that is renamed into place
 * only when complete. Without explicit keys the AWS SDK's default credential chain applies
 * (environment, shared config files, container or instance role). Errors name the bucket and
 * key, never a credential.
 */

export interface S3StoreOptions {
  /** An S3-compatible service's URL (MinIO, R2, s3rver); unset: AWS for the region. */
  endpoint?: string
  region: string
  bucket: string
  /** Prepended to every name; normalised to '' or ending in '/'. */
  prefix: string
  accessKeyId?: string
  secretAccessKey?: string
  /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key`. */
  forcePathStyle: boolean
  /** Multipart part size; S3's minimum is 5 MiB. */
  partSizeBytes?: number
  /** Keys asked for per ListObjectsV2 page (S3 answers at most 1000). */
  listPageSize?: number
}

export const DEFAULT_PART_SIZE_BYTES = 8 * 1024 * 1024

type Sdk = typeof import('@aws-sdk/client-s3') & typeof import('@aws-sdk/lib-storage')
let sdkLoading: Promise<Sdk> | undefined
/**
 * The AWS SDK, loaded on first use: it adds about 6 MB to an idle server's memory, which one
 * without an S3 bucket configured (or that never touches it) should not pay.
 */
const loadSdk = (): Promise<Sdk> =>
  (sdkLoading ??= Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage')]).then(
    ([s3, storage]) => ({ ...s3, ...storage }),
  ))

/** A failed S3 operation, naming the bucket and key (and S3's error code when there is one). */
export class S3StoreError extends Error {
  constructor(
    readonly bucket: string,
    readonly key: string,
    message: string,
    readonly code?: string,
  ) {
    super(message)
    this.name = 'S3StoreError'
  }
}

export class S3Store implements BackupStore {
  readonly kind = 's3' as const
  readonly bucket: string
  readonly prefix: string
  private readonly clientConfig: S3ClientConfig
  #connecting: Promise<{ client: S3Client; sdk: Sdk }> | undefined
  /** Set once made (a failure of an S3 call can only come after that). */
  #made: { client: S3Client; sdk: Sdk } | undefined
  private readonly partSize: number
  private readonly listPageSize: number | undefined
  /** Scrubbed from error messages, should a service ever echo them. */
  private readonly credentialValues: string[]

  constructor(options: S3StoreOptions) {
    this.bucket = options.bucket
    this.prefix = normalisePrefix(options.prefix)
    this.partSize = options.partSizeBytes ?? DEFAULT_PART_SIZE_BYTES
    this.listPageSize = options.listPageSize
    const { accessKeyId, secretAccessKey } = options
    this.credentialValues = [accessKeyId, secretAccessKey].filter((value): value is string => !!value)
    this.clientConfig = {
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
      // Elsewhere than AWS, checksums only where S3 requires them: S3-compatible services differ
      // in the newer checksum headers they accept. The size check after each upload still holds.
      ...(options.endpoint
        ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
        : {}),
    }
  }

  /** The client, made on first use. */
  private connect(): Promise<{ client: S3Client; sdk: Sdk }> {
    this.#connecting ??= loadSdk().then((sdk) => {
      this.#made = { client: new sdk.S3Client(this.clientConfig), sdk }
      return this.#made
    })
    return this.#connecting
  }

  /** Uploads `file` as `name`, then checks the stored object has the file's size. */
  async put(name: string, file: string): Promise<void> {
    const key = this.key(name)
    const { size } = await stat(file)
    const { client, sdk } = await this.connect()
    try {
      const upload = new sdk.Upload({
        client,
        params: { Bucket: this.bucket, Key: key, Body: createReadStream(file) },
        partSize: this.partSize,
        queueSize: 2,
      })
      await upload.done()
    } catch (error) {
      throw this.failure('upload', key, error)
    }
    const head = await this.send('check', key, () =>
      client.send(new sdk.HeadObjectCommand({ Bucket: this.bucket, Key: key })),
    )
    if (head.ContentLength !== size)
      throw new S3StoreError(
        this.bucket,
        key,
        `S3 upload of ${this.where(key)} is incomplete: stored ${head.ContentLength ?? 'unknown'} bytes, the file has ${size}`,
        'SizeMismatch',
      )
  }

  /** Downloads `name` to `file`; `file` appears only once the whole object has arrived. */
  async get(name: string, file: string): Promise<void> {
    const key = this.key(name)
    const { client, sdk } = await this.connect()
    const response = await this.send('download', key, () =>
      client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: key })),
    )
    const temp = path.join(
      path.dirname(file),
      `.${path.basename(file)}.${randomBytes(6).toString('hex')}.part`,
    )
    try {
      if (!(response.Body instanceof Readable)) throw new Error('the response has no body stream')
      await pipeline(response.Body, createWriteStream(temp, { flags: 'wx', flush: true }))
      const { size } = await stat(temp)
      if (response.ContentLength !== undefined && size !== response.ContentLength)
        throw new Error(`received ${size} of ${response.ContentLength} bytes`)
      await rename(temp, file)
    } catch (error) {
      await rm(temp, { force: true })
      throw this.failure('download', key, error)
    }
  }

  /** Every object whose name starts with `prefix`, page by page; names without the store's prefix. */
  async list(prefix = ''): Promise<{ name: string; size: number }[]> {
    const listed = `${this.prefix}${prefix}`
    const objects: { name: string; size: number }[] = []
    const { client, sdk } = await this.connect()
    let token: string | undefined
    do {
      const request = {
        Bucket: this.bucket,
        Prefix: listed,
        ContinuationToken: token,
        MaxKeys: this.listPageSize,
      }
      const page = await this.send('listing', listed, () =>
        client.send(new sdk.ListObjectsV2Command(request)),
      )
      for (const object of page.Contents ?? []) {
        if (object.Key?.startsWith(this.prefix))
          objects.push({ name: object.Key.slice(this.prefix.length), size: object.Size ?? 0 })
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined
      if (page.IsTruncated && !token)
        throw new S3StoreError(
          this.bucket,
          listed,
          `S3 listing of ${this.where(listed)} is truncated without a continuation token`,
        )
    } while (token)
    return objects
  }

  /** Removes `name`; removing a name that does not exist succeeds, as in S3. */
  async delete(name: string): Promise<void> {
    const key = this.key(name)
    const { client, sdk } = await this.connect()
    await this.send('delete', key, () =>
      client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: key })),
    )
  }

  /** Closes the client's connections (if it was ever made). */
  destroy(): void {
    this.#made?.client.destroy()
  }

  /** The object key of a backup file name (`<id>/data.dump`), which must be relative and clean. */
  private key(name: string): string {
    if (!name || name.split('/').some((part) => part === '' || part === '.' || part === '..'))
      throw new Error(`invalid backup file name "${name}"`)
    return `${this.prefix}${name}`
  }

  private where(key: string): string {
    return `s3://${this.bucket}/${key}`
  }

  /** Runs one S3 call, turning its failure into an S3StoreError. */
  private async send<T>(operation: string, key: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (error) {
      throw this.failure(operation, key, error)
    }
  }

  /** An S3StoreError naming bucket, key and what went wrong, with any credential scrubbed. */
  private failure(operation: string, key: string, error: unknown): S3StoreError {
    if (error instanceof S3StoreError) return error
    let code: string | undefined
    let reason: string
    if (this.#made && error instanceof this.#made.sdk.S3ServiceException) {
      code = error.name
      const status = error.$metadata.httpStatusCode
      // HEAD answers carry no body, so the SDK has only the status to go on.
      const message = error.message && error.message !== 'UnknownError' ? `: ${error.message}` : ''
      reason = `${code}${status ? ` (HTTP ${status})` : ''}${message}`
      if (status === 404 && code === 'NotFound') reason = 'not found (HTTP 404)'
    } else {
      reason = error instanceof Error ? error.message || error.name : String(error)
      code = (error as NodeJS.ErrnoException | undefined)?.code
    }
    for (const secret of this.credentialValues) reason = reason.split(secret).join('[redacted]')
    return new S3StoreError(this.bucket, key, `S3 ${operation} of ${this.where(key)} failed: ${reason}`, code)
  }
}

/** '' or a prefix ending in '/', without a leading '/'. */
export function normalisePrefix(prefix: string): string {
  const trimmed = prefix.trim().replace(/^\/+/, '')
  return trimmed === '' || trimmed.endsWith('/') ? trimmed : `${trimmed}/`
}

/** The configured S3 store, or undefined when BACKUP_S3_BUCKET is unset. */
export function s3StoreFromConfig(config: Config): S3Store | undefined {
  const settings = config.backupS3
  if (!settings) return undefined
  return new S3Store({
    bucket: settings.bucket,
    prefix: settings.prefix,
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.accessKeyId ? { accessKeyId: settings.accessKeyId } : {}),
    ...(settings.secretAccessKey ? { secretAccessKey: settings.secretAccessKey } : {}),
  })
}
