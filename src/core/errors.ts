/**
 * Every error tasker-edge raises on purpose is a TaskerError with a stable string `code`.
 * Callers branch on `code` (and on the typed fields of each subclass), never on messages.
 * Only the HTTP layer maps codes to statuses; everything below it stays transport-neutral.
 *
 * @example
 *   try { await engine.submit(req) } catch (e) {
 *     if (e instanceof TaskerError && e.code === "template_not_found") …
 *   }
 */
export class TaskerError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** Configuration from the environment is missing or malformed; the message names the variable. */
export class ConfigError extends TaskerError {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super("config_invalid", message, { variable });
    this.variable = variable;
  }
}

/** The database holds migrations this build does not know: refuse to run against it. */
export class SchemaTooNewError extends TaskerError {
  readonly databaseVersion: number;
  readonly codeVersion: number;
  constructor(databaseVersion: number, codeVersion: number) {
    super(
      "schema_too_new",
      `the database is at schema version ${databaseVersion} but this build knows only up to ${codeVersion}; upgrade tasker-edge before connecting it to this database`,
      { databaseVersion, codeVersion },
    );
    this.databaseVersion = databaseVersion;
    this.codeVersion = codeVersion;
  }
}

/** A migration file is malformed, misnumbered, or was edited after it was applied. */
export class MigrationError extends TaskerError {
  readonly file: string;
  constructor(file: string, message: string) {
    super("migration_invalid", `${file}: ${message}`, { file });
    this.file = file;
  }
}
