import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

const alias = { "@": fileURLToPath(new URL("./", import.meta.url)) };
const exclude = ["node_modules/**", ".next/**", "e2e/**", ".hypercell/**"];

// Two projects: plain unit tests, and tests that need real services (`*.db.test.ts` talk to
// PostgreSQL prepared once by test/global-setup.ts; `*.it.test.ts` start their own daemons).
export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["**/*.test.ts", "**/*.test.tsx"],
          exclude: [...exclude, "**/*.db.test.ts", "**/*.it.test.ts"],
          environment: "node",
        },
      },
      {
        resolve: { alias },
        test: {
          name: "db",
          include: ["**/*.db.test.ts"],
          exclude,
          environment: "node",
          testTimeout: 30_000,
          hookTimeout: 120_000,
          globalSetup: ["./test/global-setup.ts"],
        },
      },
      {
        resolve: { alias },
        test: {
          name: "it",
          include: ["**/*.it.test.ts"],
          exclude,
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
