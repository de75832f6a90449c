#!/bin/sh
# A processing module for the tests: $1 picks how it behaves. It reads the
# request from stdin and answers on stdout as the package documents.
input=$(cat)
task_id=$(printf '%s' "$input" | sed -n 's/.*"task_id":"\([^"]*\)".*/\1/p')

case "$1" in
ok)
	printf '{"status":"ok","params":{"task_id":"%s","operation":"%s","attempt":"%s","ip":"192.0.2.10"},"message":"created"}\n' \
		"$task_id" "$BILLKIT_OPERATION" "$BILLKIT_ATTEMPT"
	;;
pending)
	echo '{"status":"pending","message":"queued at the panel"}'
	;;
sync)
	echo '{"status":"ok","service_status":"suspended","usage":{"traffic":12.50,"disk":"3.25"},"login_url":"https://panel.example/login/abc"}'
	;;
refuse)
	echo '{"status":"error","retry":false,"message":"domain example.com is taken"}'
	;;
retry)
	echo '{"status":"error","retry":true,"message":"the panel is busy"}'
	;;
garbage)
	echo 'hello, this is not JSON'
	echo 'warning: config not found' >&2
	;;
empty)
	echo 'nothing to say' >&2
	;;
two)
	echo '{"status":"ok"}{"status":"ok"}'
	;;
badstatus)
	echo '{"status":"done"}'
	;;
badservice)
	echo '{"status":"ok","service_status":"frozen"}'
	;;
hang)
	echo 'connecting to the panel' >&2
	# A child process: killing only the shell would leave it holding stdout.
	sleep 600
	echo '{"status":"ok"}'
	;;
huge)
	echo 'writing a lot' >&2
	while :; do
		echo '{"status":"ok","message":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}'
	done
	;;
exit2)
	echo 'tariff xl does not exist on this panel' >&2
	exit 2
	;;
exit2json)
	echo '{"status":"error","message":"quota exceeded"}'
	echo 'details on stderr' >&2
	exit 2
	;;
exit1)
	echo 'panic: connection reset by peer' >&2
	exit 1
	;;
killed)
	echo 'about to die' >&2
	kill -9 $$
	;;
env)
	printf '{"status":"ok","params":{"custom":"%s","leaked":"%s","has_path":"%s","pwd":"%s"}}\n' \
		"$CUSTOM" "${BILLKIT_TEST_LEAK-unset}" "${PATH:+yes}" "$(pwd)"
	;;
list)
	# A listing: two accounts, the first with all the panel knows of it,
	# and the server's decrypted token, to show it arrived.
	token=$(printf '%s' "$input" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
	printf '{"services":[{"remote_id":"u1042","name":"web1","domain":"example.com","plan":"vps-s","status":"active","expires_on":"2026-05-01","client_hint":"billing@example.com","params":{"ip":"192.0.2.10","operation":"%s","token":"%s"}},{"remote_id":"u1043","status":"suspended"}]}\n' \
		"$BILLKIT_OPERATION" "$token"
	;;
listnone)
	echo '{"status":"ok","services":[]}'
	;;
listrefuse)
	echo '{"status":"error","retry":false,"message":"the API key may not list accounts"}'
	;;
listpending)
	echo '{"status":"pending"}'
	;;
listmissing)
	echo '{"status":"ok"}'
	;;
listbadstatus)
	echo '{"services":[{"remote_id":"u1","status":"frozen"}]}'
	;;
listnoid)
	echo '{"services":[{"name":"web1"}]}'
	;;
stdin)
	# The whole request, for the test to compare with what was sent.
	printf '%s' "$input" >"$REQUEST_FILE"
	echo '{"status":"ok"}'
	;;
*)
	echo "unknown mode $1" >&2
	exit 1
	;;
esac
