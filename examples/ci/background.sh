./node_modules/.bin/fake-jelou --port 4010 --seed ci --log-level silent &
FAKE_JELOU_PID=$!
for i in $(seq 1 50); do curl -fsS http://127.0.0.1:4010/__admin/health >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS http://127.0.0.1:4010/__admin/health >/dev/null || { echo "fake-jelou did not start"; exit 1; }
JELOU_BASE_URL=http://127.0.0.1:4010/jelouapi npm run your-integration-tests
kill -TERM $FAKE_JELOU_PID && wait $FAKE_JELOU_PID   # exit code 0: it closed cleanly
