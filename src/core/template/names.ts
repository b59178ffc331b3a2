import { z } from "zod";

/**
 * The one pattern for namespace, task and step names: lower-case ASCII, digits and underscores,
 * starting with a letter, at most 63 characters. It rules out path separators, dots, percent
 * escapes and unicode look-alikes, so a name that passes can never mean a different file (I7).
 */
export const NAME_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

/**
 * True when `value` is a string matching {@link NAME_PATTERN}.
 *
 * @example
 *   isValidName("order_process") // true
 *   isValidName("../etc")        // false
 */
export function isValidName(value: unknown): value is string {
  return typeof value === "string" && NAME_PATTERN.test(value);
}

/** zod schema for a name, with a message that says what to fix. */
export const nameSchema = z
  .string()
  .regex(NAME_PATTERN, "must be lower-case letters, digits and underscores, start with a letter, at most 63 characters");
