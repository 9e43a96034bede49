// Typed errors of Quantbench: a stable code for programs, a plain-language message for people.
// They cross the worker boundary intact (see workers/transfer-errors.ts), so the UI can act on the code.

/** Every failure a user can meet, by stable code. */
export type ErrorCode =
  | 'empty-file'
  | 'not-onnx'
  | 'truncated'
  | 'corrupt'
  | 'too-large'
  | 'missing-external-data'
  | 'bad-external-data'
  | 'unknown-op-domain'
  | 'bad-tensor'
  | 'bad-image'
  | 'unsupported'
  | 'cancelled'
  | 'worker-crashed'
  | 'runtime'
  | 'internal';

/** Serialisable shape of a QbError (what crosses postMessage). */
export interface QbErrorData {
  code: ErrorCode;
  message: string;
  /** Technical detail for the "details" disclosure and bug reports; never the headline. */
  detail?: string;
}

/** The only error type Quantbench code throws on purpose. */
export class QbError extends Error {
  readonly code: ErrorCode;
  readonly detail?: string;

  constructor(code: ErrorCode, message: string, detail?: string) {
    super(message);
    this.name = 'QbError';
    this.code = code;
    if (detail !== undefined) this.detail = detail;
  }

  toData(): QbErrorData {
    return this.detail === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, detail: this.detail };
  }

  static fromData(data: QbErrorData): QbError {
    return new QbError(data.code, data.message, data.detail);
  }
}

/** True for a QbError made in this realm or rebuilt from another one. */
export function isQbError(value: unknown): value is QbError {
  return value instanceof QbError;
}

/** Wraps anything thrown into a QbError, keeping a QbError as it is. */
export function toQbError(value: unknown, fallbackMessage = 'Something went wrong inside Quantbench.'): QbError {
  if (value instanceof QbError) return value;
  if (value instanceof Error) return new QbError('internal', fallbackMessage, `${value.name}: ${value.message}`);
  return new QbError('internal', fallbackMessage, String(value));
}
