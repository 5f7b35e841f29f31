// Types of the signing profiles (common/profiles.js, one source for the Node and browser
// packages), re-exported as `profiles` by each package's index.d.ts.
import type { Body, HeadersInput, SecretInput } from './signer.js';
import { SigwireError } from './errors.js';

/** Every profile machine code. */
export type ProfileErrorCode =
  | 'invalid_request'
  | 'invalid_credentials'
  | 'invalid_settings'
  | 'missing_header'
  | 'missing_signature'
  | 'malformed_signature'
  | 'unsupported_algorithm'
  | 'unknown_key'
  | 'credential_scope_mismatch'
  | 'timestamp_out_of_tolerance'
  | 'webhook_timestamp_out_of_tolerance'
  | 'signature_expired'
  | 'digest_mismatch'
  | 'insufficient_coverage'
  | 'signature_mismatch'
  | 'replayed_nonce';

/** Base class of every signing-profile error; `.code` is the stable machine code. */
export class ProfileError extends SigwireError {}
export class InvalidRequestError extends ProfileError {}
export class InvalidCredentialsError extends ProfileError {}
export class InvalidSettingsError extends ProfileError {}
export class MissingHeaderError extends ProfileError {}
export class MissingSignatureError extends ProfileError {}
export class MalformedSignatureError extends ProfileError {}
export class UnsupportedAlgorithmError extends ProfileError {}
export class UnknownKeyError extends ProfileError {}
export class CredentialScopeMismatchError extends ProfileError {}
export class TimestampOutOfToleranceError extends ProfileError {}
export class WebhookTimestampOutOfToleranceError extends ProfileError {}
export class SignatureExpiredError extends ProfileError {}
export class DigestMismatchError extends ProfileError {}
export class InsufficientCoverageError extends ProfileError {}
export class SignatureMismatchError extends ProfileError {}
export class ReplayedNonceError extends ProfileError {}

/** code -> HTTP status a server answers with. */
export const ERROR_CODES: Readonly<Record<ProfileErrorCode, number>>;
export const PROFILE_ERROR_CLASSES: Readonly<Record<ProfileErrorCode, typeof ProfileError>>;

/** One header or query parameter signing added; `sensitive` values grant access. */
export interface ProfileParam {
  readonly name: string;
  readonly value: string;
  readonly sensitive: boolean;
}

/** A request to sign or verify. */
export interface ProfileRequest {
  method?: string;
  url: string | URL;
  headers?: HeadersInput;
  body?: Body;
}

/** A signed request: send `method` to `url` with `headers` and exactly `body`. */
export class SignedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly headerList: Array<[string, string]>;
  readonly body: Uint8Array;
  readonly headerParams: readonly ProfileParam[];
  readonly queryParams: readonly ProfileParam[];
  /** The value of header `name` (case-insensitive), or undefined. */
  header(name: string): string | undefined;
  toJSON(): { method: string; url: string; headers: Array<[string, string]>; bodyLength: number };
}

/** A SigV4-signed request with its intermediate stages (the canonical request holds the session token). */
export class AwsSignedRequest extends SignedRequest {
  readonly canonicalRequest: string;
  readonly stringToSign: string;
}

/** An RFC 9421-signed request or response and its signature base. */
export class Rfc9421SignedRequest extends SignedRequest {
  readonly signatureBase: string;
  readonly status?: number;
}

declare class Exchange {
  /** The API key (not secret). */
  readonly apiKey: string;
  /** Signs the request exactly as sent; `timestampMs` defaults to now. */
  sign(request: ProfileRequest & { timestampMs?: number }): SignedRequest;
}

export class Binance extends Exchange {
  constructor(apiKey: string, secret: string, options?: { recvWindow?: number | null });
}
export class Coinbase extends Exchange {
  constructor(apiKey: string, secretBase64: string, passphrase: string);
}
export class Kraken extends Exchange {
  constructor(apiKey: string, secretBase64: string);
  nextNonce(nowMs?: number): number;
  body(params?: Record<string, string> | Array<[string, string]>, options?: { nonce?: number }): string;
}
export class Okx extends Exchange {
  constructor(apiKey: string, secret: string, passphrase: string, options?: { simulatedTrading?: boolean });
}
export class Bybit extends Exchange {
  constructor(apiKey: string, secret: string, options?: { recvWindow?: number });
}

export interface AwsSigV4Options {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  service: string;
  sessionToken?: string | null;
  /** S3 rules: single path encoding, no normalisation, x-amz-content-sha256. */
  s3?: boolean;
  /** false: the session token is added after signing. */
  signSessionToken?: boolean;
}

export class AwsSigV4 {
  constructor(options: AwsSigV4Options);
  readonly accessKeyId: string;
  sign(request: ProfileRequest & { timestamp?: number; unsignedPayload?: boolean }): AwsSignedRequest;
  /**
   * Only the headers signing sets (`X-Amz-Date`, `Authorization`; `X-Amz-Security-Token` with a
   * session token; `x-amz-content-sha256` under the S3 rules): set each on the request, replacing
   * a header of the same name, and send exactly `body`. The fastest way to sign.
   */
  authHeaders(request: ProfileRequest & { timestamp?: number; unsignedPayload?: boolean }): Record<string, string>;
  /** A presigned URL (UNSIGNED-PAYLOAD without a body). */
  presign(request: ProfileRequest & { timestamp?: number; expiresIn?: number }): string;
}

export interface AwsVerified {
  accessKeyId: string;
  signedHeaders: string[];
  presigned: boolean;
  signedAt: number;
}

export class AwsSigV4Verifier {
  constructor(options: { region: string; service: string; credentials: Record<string, string>; s3?: boolean; maxClockSkew?: number });
  verify(request: ProfileRequest & { now?: number }): AwsVerified;
}

export interface Rfc9421Options {
  label?: string;
  components?: string[];
  expiresIn?: number;
  includeAlg?: boolean;
  tag?: string;
}

export interface Rfc9421Verified {
  label: string;
  keyId: string;
  created: number;
  expires?: number | null;
  nonce?: string | null;
  tag?: string | null;
  components: string[];
}

export interface ProfileResponse {
  status: number;
  headers?: HeadersInput;
  body?: Body;
}

export class Rfc9421 {
  constructor(keyId: string, secret: SecretInput, options?: Rfc9421Options);
  sign(request: ProfileRequest & { created?: number; nonce?: string }): Rfc9421SignedRequest;
  signResponse(response: ProfileResponse & { created?: number; nonce?: string }): Rfc9421SignedRequest;
}

export class Rfc9421Verifier {
  constructor(keys: Record<string, SecretInput>, options?: { label?: string; requiredComponents?: string[]; maxAge?: number; maxAhead?: number });
  verify(request: ProfileRequest & { now?: number }): Rfc9421Verified;
  verifyResponse(response: ProfileResponse & { now?: number }): Rfc9421Verified;
}

export type WebhookProvider = 'stripe' | 'github' | 'slack' | 'standard' | 'sigwire';
export const WEBHOOK_PROVIDERS: readonly WebhookProvider[];

export interface WebhookEvent {
  provider: WebhookProvider;
  timestamp: number | null;
  id: string | null;
  secretIndex: number;
}

/** Verifies a webhook over the raw body bytes as received. */
export function verifyWebhook(
  provider: WebhookProvider,
  secret: SecretInput | SecretInput[],
  headers: HeadersInput,
  body: Body,
  options?: { tolerance?: number; now?: number },
): WebhookEvent;

/** The headers a provider would send with `body`. */
export function signWebhook(
  provider: WebhookProvider,
  secret: SecretInput | SecretInput[],
  body: Body,
  options?: { timestamp?: number; id?: string },
): Record<string, string>;

/**
 * A signer that `new Client({ baseUrl, profile })` signs every attempt with (retries re-signed,
 * clock correction as for sigwire-v1). Kraken is not one: its nonce lives in the body.
 */
export type ClientProfile = Binance | Coinbase | Okx | Bybit | AwsSigV4 | Rfc9421;
