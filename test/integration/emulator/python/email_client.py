"""Sends one email through the ACS emulator with Microsoft's Python SDK (Debian's python3-azure:
azure-communication-email 1.0.0b2, api-version 2021-10-01-preview) and polls it to completion; prints JSON.

Usage: REQUESTS_CA_BUNDLE=<the emulator's CA> /usr/bin/python3 email_client.py <connection string>
Run by test/integration/emulator/email.test.ts, which checks the output and the emulator's mailbox.
"""
import json
import sys
import time

from azure.communication.email import EmailClient
from azure.core.exceptions import HttpResponseError


def main(connection_string):
    client = EmailClient.from_connection_string(connection_string)
    message = {
        "sender": "DoNotReply@contoso.azurecomm.net",
        "content": {
            "subject": "Hello from Python",
            "plainText": "Sent by azure-communication-email.",
            "html": "<p>Sent by <b>azure-communication-email</b>.</p>",
        },
        "recipients": {
            "to": [{"email": "bob@example.com", "displayName": "Bob"}],
            "CC": [{"email": "carol@example.com"}],
        },
        "headers": [{"name": "List-Unsubscribe", "value": "<https://example.com/u/bob>"}],
        "importance": "high",
    }
    sent = client.send(message)
    statuses = []
    for _ in range(40):
        status = client.get_send_status(sent["messageId"])
        statuses.append(status["status"])
        if status["status"] != "queued":
            break
        time.sleep(0.25)
    try:
        client.send({"sender": "not an address", "content": {"subject": "x", "plainText": "x"},
                     "recipients": {"to": [{"email": "bob@example.com"}]}})
        bad_status = 202
    except HttpResponseError as error:
        bad_status = error.status_code
    print(json.dumps({"messageId": sent["messageId"], "statuses": statuses, "badStatus": bad_status}))


if __name__ == "__main__":
    main(sys.argv[1])
