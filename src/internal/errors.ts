// Two branches: errors worth retrying and errors that a retry cannot fix. Exit codes per class.

export class BaseError extends Error {
  override name = "BaseError";
  readonly exitCode: number = 1;
}
export class RetryableError extends BaseError {
  override name = "RetryableError";
}
export class NonRetryableError extends BaseError {
  override name = "NonRetryableError";
}

/** SIGINT/SIGTERM: the work in progress was abandoned (what was committed stays). Exit 130. */
export class InterruptedError extends BaseError {
  override name = "InterruptedError";
  override readonly exitCode = 130;
  constructor() {
    super("interrupted; everything loaded so far is committed, the next run resumes");
  }
}

/** Bad configuration or arguments: exit 2. */
export class ConfigError extends NonRetryableError {
  override name = "ConfigError";
  override readonly exitCode = 2;
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Invalid configuration in ${file}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}
export class UsageError extends NonRetryableError {
  override name = "UsageError";
  override readonly exitCode = 2;
}
export class InputError extends NonRetryableError {
  override name = "InputError";
  override readonly exitCode = 2;
}

/** TronScan answered with an error a retry will not fix (400, 401, 404...). Exit 3. */
export class SourceHttpError extends NonRetryableError {
  override name = "SourceHttpError";
  override readonly exitCode = 3;
  constructor(
    message: string,
    readonly status: number,
    readonly url: string,
  ) {
    super(message);
  }
}
/** TronScan unreachable or failing after every retry. Exit 75 (temporary failure). */
export class SourceUnavailableError extends RetryableError {
  override name = "SourceUnavailableError";
  override readonly exitCode = 75;
}
export class RateLimitError extends RetryableError {
  override name = "RateLimitError";
  constructor(
    message: string,
    readonly retryAfterMs: number | null,
  ) {
    super(message);
  }
}

/**
 * The node's chain cannot be followed as it is: a block whose parent is not ours (a fork), a block or head that is not
 * believable (a time in the future, more blocks than the time allows), a block missing or unreadable after asking
 * again. Nothing past it was loaded. Exit 5; `tronmon follow --rewind-to N` is the way out of a fork.
 */
export class ChainError extends NonRetryableError {
  override name = "ChainError";
  override readonly exitCode = 5;
}

export class WarehouseError extends NonRetryableError {
  override name = "WarehouseError";
  override readonly exitCode = 4;
}
/** Another process holds the DuckDB file. Exit 73 (cannot create / in use). */
export class WarehouseLockedError extends NonRetryableError {
  override name = "WarehouseLockedError";
  override readonly exitCode = 73;
}

/** One record that cannot be read as what it claims to be: that record is quarantined, the rest loads. */
export class RecordError extends NonRetryableError {
  override name = "RecordError";
}
