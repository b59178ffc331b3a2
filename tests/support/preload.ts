// Runs once before the test files of a `bun test` run.
if (!process.env.TEST_DATABASE_URL) {
  const line = "=".repeat(78);
  console.warn(
    `\n${line}\n  TEST_DATABASE_URL is not set: the Postgres half of the store and engine suites\n` +
      `  is SKIPPED; only PGlite runs. Start a throwaway Postgres with\n` +
      `    eval "$(scripts/test-postgres.sh start)"   # exports TEST_DATABASE_URL\n${line}\n`,
  );
}
export {};
