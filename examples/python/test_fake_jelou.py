"""A Python test suite against fake-jelou over plain HTTP: the standard library only, no SDK."""
import json
import os
import unittest
import urllib.error
import urllib.request

BASE_URL = os.environ.get("JELOU_BASE_URL", "http://127.0.0.1:4010/jelouapi")
ADMIN_URL = BASE_URL.rsplit("/jelouapi", 1)[0] + "/__admin"
ADMIN_TOKEN = os.environ.get("FAKE_JELOU_ADMIN_TOKEN", "dev-admin-token")


def call(method, url, headers=None, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def admin(method, path, body=None):
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "application/json"}
    return call(method, ADMIN_URL + path, headers, body)


def get_conversation(project_id, conversation_id):
    url = f"{BASE_URL}/v1/external-support/{project_id}/conversations/{conversation_id}"
    return call("GET", url, {"x-api-key": "any-key"})


class FakeJelouTest(unittest.TestCase):
    def setUp(self):
        admin("POST", "/reset", {})

    def test_active_conversation(self):
        status, body = get_conversation("my-project", "conv-1")
        self.assertEqual(status, 200)
        self.assertEqual(body["data"]["state"], "active")

    def test_a_rule_set_through_the_admin_api(self):
        status, _ = admin("PUT", "/conversations/my-project/conv-2", {"scenario": "not-found"})
        self.assertEqual(status, 200)
        status, body = get_conversation("my-project", "conv-2")
        self.assertEqual(status, 404)
        self.assertEqual(body["status"], 0)


if __name__ == "__main__":
    unittest.main()
