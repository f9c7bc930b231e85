# Sourced by the throwaway-server scripts of tools/security (kafka-sasl.sh, tls-postgres.sh):
# their command line. The sourcing script defines up, print_env and down, then calls
#   up_env_down_main "$@"
# which runs `up`, `env` (print_env) or `down` for the first argument; anything else prints the
# usage to stderr and exits 2.
up_env_down_main() {
  case "${1:-}" in
    up) up ;;
    env) print_env ;;
    down) down ;;
    *) echo "usage: $0 up|env|down" >&2; exit 2 ;;
  esac
}
