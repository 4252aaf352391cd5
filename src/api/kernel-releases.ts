// Mainline release dates, for judging a patch against the tree it was
// written for: an API removed in vX.Y is only "removed" for patches posted
// after vX.Y was released (before that, some tree the author used still had
// it). Dates are the days Linus tagged each release.
const RELEASED: Record<string, string> = {
  "5.0": "2019-03-03", "5.1": "2019-05-05", "5.2": "2019-07-07", "5.3": "2019-09-15", "5.4": "2019-11-24",
  "5.5": "2020-01-26", "5.6": "2020-03-29", "5.7": "2020-05-31", "5.8": "2020-08-02", "5.9": "2020-10-11",
  "5.10": "2020-12-13", "5.11": "2021-02-14", "5.12": "2021-04-25", "5.13": "2021-06-27", "5.14": "2021-08-29",
  "5.15": "2021-10-31", "5.16": "2022-01-09", "5.17": "2022-03-20", "5.18": "2022-05-22", "5.19": "2022-07-31",
  "6.0": "2022-10-02", "6.1": "2022-12-11", "6.2": "2023-02-19", "6.3": "2023-04-23", "6.4": "2023-06-25",
  "6.5": "2023-08-27", "6.6": "2023-10-30", "6.7": "2024-01-07", "6.8": "2024-03-10", "6.9": "2024-05-12",
  "6.10": "2024-07-14", "6.11": "2024-09-15", "6.12": "2024-11-17", "6.13": "2025-01-19", "6.14": "2025-03-24",
  "6.15": "2025-05-25", "6.16": "2025-07-27", "6.17": "2025-09-28",
};

export function releaseDate(version: string): Date | undefined {
  const day = RELEASED[version];
  return day ? new Date(`${day}T00:00:00Z`) : undefined;
}

/** -1, 0 or 1, comparing "major.minor" prefixes ("6.1.y" counts as 6.1). */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => (/^(\d+)\.(\d+)/.exec(v) ?? [, "0", "0"]).slice(1, 3).map(Number) as [number, number];
  const [x, y] = [parse(a), parse(b)];
  return Math.sign(x[0] - y[0]) || Math.sign(x[1] - y[1]);
}

/** The newest mainline release tagged on or before `date` (undefined before 5.0). */
export function newestReleaseAt(date: Date): string | undefined {
  let newest: string | undefined;
  for (const [version, day] of Object.entries(RELEASED)) {
    if (new Date(`${day}T00:00:00Z`).getTime() <= date.getTime() && (!newest || compareVersions(version, newest) > 0)) newest = version;
  }
  return newest;
}
