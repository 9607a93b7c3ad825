import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../scripts/stack/profile.ts";
import { postgrestServerConfig } from "./postgrest_server.ts";

const SECRET = "direct-endpoint-secret-for-tests-0123456789";

function reader(files: Record<string, string>): (path: string) => Promise<string> {
  return (path) => {
    const text = files[path];
    return text === undefined ? Promise.reject(new Deno.errors.NotFound(path)) : Promise.resolve(text);
  };
}

Deno.test("postgrestServerConfig() reads secrets from the environment or from files, never arguments", async () => {
  const fromEnv = await postgrestServerConfig(["--port", "0"], {
    env: new Map([["PGRST_DB_URI", "postgresql://u:p@db/tenant"], ["PGRST_JWT_SECRET", ` ${SECRET}\n`]]),
  });
  assert.deepEqual(fromEnv, {
    hostname: "127.0.0.1",
    port: 0,
    dbUrl: "postgresql://u:p@db/tenant",
    jwtSecret: SECRET,
  });
  const fromFiles = await postgrestServerConfig(
    ["--port", "54330", "--db-url-file", "url.txt", "--jwt-secret-file", "secret.txt"],
    { env: new Map(), readTextFile: reader({ "url.txt": "postgresql://u:p@db/x\n", "secret.txt": SECRET }) },
  );
  assert.equal(fromFiles.dbUrl, "postgresql://u:p@db/x");
  assert.equal(fromFiles.jwtSecret, SECRET);
  assert.equal(fromFiles.port, 54330);
});

Deno.test("postgrestServerConfig() refuses a password on the command line and says what is missing", async () => {
  const env = new Map([["PGRST_JWT_SECRET", SECRET]]);
  await assert.rejects(
    postgrestServerConfig(["--db-url", "postgresql://u:hunter2@db/x"], { env }),
    (error) =>
      error instanceof TypeError && /PGRST_DB_URI/.test(error.message) && !/hunter2/.test(error.message),
  );
  await assert.rejects(postgrestServerConfig([], { env }), /Missing database URL/);
  await assert.rejects(
    postgrestServerConfig(["--db-url", "postgresql://u@db/x"], { env: new Map() }),
    /Missing JWT secret/,
  );
  await assert.rejects(
    postgrestServerConfig(["--port", "99999"], {
      env: new Map([...env, ["PGRST_DB_URI", "postgresql://db/x"]]),
    }),
    /Invalid --port/,
  );
});

Deno.test("postgrest_server.ts serves the Data API of a tenant database with the keys it prints", async () => {
  const dbUrl = Deno.env.get("TENANT_SHARED_DB_URL");
  if (!dbUrl) throw new Error("Missing TENANT_SHARED_DB_URL: run this test through `npm test`");
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      join(PROJECT_ROOT, "tests", "stand_ins", "postgrest_server.ts"),
      "--port",
      "0",
    ],
    cwd: PROJECT_ROOT,
    env: { PGRST_DB_URI: dbUrl, PGRST_JWT_SECRET: SECRET },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let text = "";
    while (!/service_role key/.test(text)) {
      const { value, done } = await lines.read();
      if (done) throw new Error("The server ended before listening");
      text += value;
    }
    const url = /on (http:\/\/\S+)/.exec(text)?.[1];
    const anonKey = /anon key\s+(\S+)/.exec(text)?.[1];
    assert.ok(url && anonKey);
    const root = await fetch(`${url}/rest/v1/`, { headers: { apikey: anonKey } });
    assert.equal(root.status, 200);
    await root.body?.cancel();
    const noUser = await fetch(`${url}/rest/v1/accounts`, { headers: { apikey: anonKey } });
    assert.equal(noUser.status, 401);
    await noUser.body?.cancel();
  } finally {
    child.kill("SIGTERM");
    await lines.cancel();
    await child.status;
  }
});
