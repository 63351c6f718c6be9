// Filled in by the database test harness (see test/db-harness.ts).
export default async function setup() {}
