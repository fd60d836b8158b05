"""A JSON-RPC server written by hand on Debian's python3-pika (no tinyrpc): answers reverse_string on QUEUE,
replying to reply_to with the request's correlation id, then acknowledging.

Usage: pika_server.py QUEUE. Prints "ready" once consuming, then serves until killed.
"""
import json
import sys

import pika

connection = pika.BlockingConnection(pika.ConnectionParameters(host="127.0.0.1", port=5672))
channel = connection.channel()
channel.queue_declare(queue=sys.argv[1])


def on_request(ch, method, properties, body):
    request = json.loads(body)
    if "id" in request and properties.reply_to:
        reply = {"jsonrpc": "2.0", "id": request["id"], "result": request["params"][0][::-1]}
        ch.basic_publish(
            exchange="",
            routing_key=properties.reply_to,
            properties=pika.BasicProperties(correlation_id=properties.correlation_id),
            body=json.dumps(reply).encode("utf-8"))
    ch.basic_ack(delivery_tag=method.delivery_tag)


channel.basic_qos(prefetch_count=16)
channel.basic_consume(queue=sys.argv[1], on_message_callback=on_request)
print("ready", flush=True)
channel.start_consuming()
