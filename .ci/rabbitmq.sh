# Starts and stops a RabbitMQ node on 127.0.0.1:5672 without systemd (sourced by .ci/run).
start_rabbitmq() {
  if (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; then
    echo "RabbitMQ already listening on 127.0.0.1:5672"
    RABBITMQ_STARTED_HERE=0
    return 0
  fi
  export RABBITMQ_NODENAME=rabbit@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=5672 \
         RABBITMQ_DIST_PORT=25672 ERL_EPMD_ADDRESS=127.0.0.1 \
         RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  echo "starting RabbitMQ"
  rabbitmq-server -detached
  for _ in $(seq 1 600); do (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null && break; sleep 0.1; done
  rabbitmqctl -n rabbit@localhost await_startup --timeout 60 >/dev/null
  RABBITMQ_STARTED_HERE=1
}

stop_rabbitmq() {
  if [ "${RABBITMQ_STARTED_HERE:-0}" = 1 ]; then
    rabbitmqctl -n rabbit@localhost shutdown >/dev/null 2>&1 || true
  fi
}
