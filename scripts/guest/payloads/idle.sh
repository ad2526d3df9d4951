# Stay up until the host powers the guest off (or sends "quit" on hvc0).
echo "vmcompact-payload: idle"
while :; do sleep 3600; done
