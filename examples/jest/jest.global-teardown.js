// Jest globalTeardown: globalThis is shared with globalSetup, so the fake it started is still here.
module.exports = async function globalTeardown() {
  await globalThis.fakeJelou.close();
};
