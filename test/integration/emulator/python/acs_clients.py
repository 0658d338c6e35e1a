"""Drives the ACS emulator with Microsoft's Python SDKs (Debian's python3-azure) and prints what they saw as JSON.

Usage: REQUESTS_CA_BUNDLE=<the emulator's CA> /usr/bin/python3 acs_clients.py <connection string>
(requests, under the SDKs, trusts that CA for this process alone; the thread clients a ChatClient makes do not take
`connection_verify`). Run by test/integration/emulator/python-sdk.test.ts, which checks the output.
"""
import json
import sys

from azure.communication.chat import ChatClient, ChatParticipant, CommunicationTokenCredential
from azure.communication.identity import CommunicationIdentityClient, CommunicationTokenScope
from azure.core.exceptions import HttpResponseError


def status_of(call):
    try:
        call()
        return 200
    except HttpResponseError as error:
        return error.status_code


def main(connection_string):
    identity = CommunicationIdentityClient.from_connection_string(connection_string)
    endpoint = connection_string.split(";")[0].split("=", 1)[1]

    alice, alice_token = identity.create_user_and_token(scopes=[CommunicationTokenScope.CHAT])
    bob = identity.create_user()
    # This SDK version predates the scope in its enum; the service takes it as a string.
    limited = identity.get_token(bob, scopes=["chat.join.limited"])

    chat = ChatClient(endpoint, CommunicationTokenCredential(alice_token.token))
    created = chat.create_chat_thread(
        "From Python",
        thread_participants=[ChatParticipant(identifier=bob, display_name="Bob")],
    )
    thread = chat.get_chat_thread_client(created.chat_thread.id)
    sent = thread.send_message("hello from python", sender_display_name="Alice")
    thread.update_topic("Renamed")
    messages = [m for m in thread.list_messages() if m.type == "text"]
    participants = sorted(p.identifier.raw_id for p in thread.list_participants())

    bob_chat = ChatClient(endpoint, CommunicationTokenCredential(limited.token))
    bob_thread = bob_chat.get_chat_thread_client(created.chat_thread.id)
    bob_thread.send_read_receipt(sent.id)
    receipts = [r.chat_message_id for r in thread.list_read_receipts()]
    # chat.join.limited may not create threads.
    bob_create = status_of(lambda: bob_chat.create_chat_thread("Not allowed"))

    properties = thread.get_properties()
    chat.delete_chat_thread(created.chat_thread.id)
    after_delete = status_of(thread.get_properties)
    identity.revoke_tokens(alice)
    after_revoke = status_of(lambda: chat.get_chat_thread_client(created.chat_thread.id).get_properties())
    identity.delete_user(bob)

    print(
        json.dumps(
            {
                "aliceId": alice.properties["id"],
                "bobId": bob.properties["id"],
                "tokenExpiresOn": str(alice_token.expires_on),  # this SDK version hands back the raw string
                "threadId": created.chat_thread.id,
                "createdBy": created.chat_thread.created_by.raw_id,
                "errors": [str(error) for error in (created.errors or [])],
                "messageId": sent.id,
                "messages": [
                    {"id": m.id, "content": m.content.message, "sender": m.sender.raw_id, "name": m.sender_display_name}
                    for m in messages
                ],
                "participants": participants,
                "topic": properties.topic,
                "receipts": receipts,
                "bobCreate": bob_create,
                "afterDelete": after_delete,
                "afterRevoke": after_revoke,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
