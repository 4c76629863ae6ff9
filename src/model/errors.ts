/** Known, user-facing failures. Each has a stable code; the CLI maps codes to exit codes and prints one line. */
export class ExhuntError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExhuntError';
    this.code = code;
  }
}

/** The evidence path does not exist or cannot be opened. */
export class EvidenceError extends ExhuntError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_EVIDENCE', message, options);
    this.name = 'EvidenceError';
  }
}

/** A rule file is invalid (syntax, unknown modifier, bad condition). */
export class RuleError extends ExhuntError {
  readonly file: string | undefined;
  constructor(message: string, file?: string, options?: { cause?: unknown }) {
    super('E_RULE', file ? `${file}: ${message}` : message, options);
    this.name = 'RuleError';
    this.file = file;
  }
}

/** Options given by the user make no sense. */
export class UsageError extends ExhuntError {
  constructor(message: string) {
    super('E_USAGE', message);
    this.name = 'UsageError';
  }
}
