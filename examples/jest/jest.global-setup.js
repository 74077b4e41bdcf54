// Jest globalSetup (CommonJS, Jest's default): one fake for the whole run; tests read its base URL from the env.
const { startMockServer } = require("fake-jelou");

module.exports = async function globalSetup() {
  globalThis.fakeJelou = await startMockServer({ port: 0, seed: "my-tests" });
  process.env.JELOU_BASE_URL = globalThis.fakeJelou.baseUrl;
};
