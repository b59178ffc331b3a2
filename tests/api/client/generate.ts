// Regenerates tests/api/client/tasker-api.ts from the app's OpenAPI document.
import { join } from "node:path";
import { generatedTypes } from "./openapi-source.ts";

const { types } = await generatedTypes();
await Bun.write(join(import.meta.dir, "tasker-api.ts"), types);
console.log("wrote tests/api/client/tasker-api.ts");
