"""Calls a TinyRpc RabbitMQ server with Debian's python3-pika: requests on the default exchange, replies
on an exclusive server-named queue, matched by correlation id.

Usage: pika_client.py QUEUE MESSAGE... Prints each reply on its own line, in the order of the messages.
"""
import sys
import time
import uuid

import pika

connection = pika.BlockingConnection(pika.ConnectionParameters(host="127.0.0.1", port=5672))
channel = connection.channel()
callback_queue = channel.queue_declare(queue="", exclusive=True).method.queue
replies = {}


def on_reply(ch, method, properties, body):
    replies[properties.correlation_id] = body.decode("utf-8")


channel.basic_consume(queue=callback_queue, on_message_callback=on_reply, auto_ack=True)
ids = []
for message in sys.argv[2:]:
    correlation_id = str(uuid.uuid4())
    ids.append(correlation_id)
    channel.basic_publish(
        exchange="",
        routing_key=sys.argv[1],
        properties=pika.BasicProperties(reply_to=callback_queue, correlation_id=correlation_id),
        body=message.encode("utf-8"))

deadline = time.monotonic() + 30
while len(replies) < len(ids) and time.monotonic() < deadline:
    connection.process_data_events(time_limit=0.2)
for correlation_id in ids:
    print(replies.get(correlation_id, "<no reply>"))
connection.close()
