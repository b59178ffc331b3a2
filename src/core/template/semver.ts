import semver from "semver";

/**
 * True for a canonical semantic version ("1.2.3", "2.0.0-rc.1"). Loose spellings such as "v1.2"
 * or "=1.0.0" are refused rather than normalised, so the version a user submits is exactly the
 * version they wrote in the module.
 *
 * @example
 *   isSemver("1.0.0")  // true
 *   isSemver("v1.0.0") // false
 */
export function isSemver(value: string): boolean {
  return semver.valid(value) === value;
}
