# For tests/host/agent-kill.sh: the fragmented payload's workload and file
# checks (fragmented.sh, in the background), and the agent killed
# (SIGKILL) the first time it is inside a vacate ioctl, then started
# again: "agent-kill: killed in IOCTL", "agent-kill: started again".
sh /payloads/fragmented.sh &
pid=$(pidof vmcompact-agent)
# /proc/PID/syscall: "16 FD CMD ..." while the agent sleeps in an ioctl.
# VACATE_IOC_VACATE and VACATE_IOC_CHEAPEST (include/uapi/linux/vacate.h).
while read -r nr fd cmd rest < "/proc/$pid/syscall"; do
	case "$nr $cmd" in
	"16 0xc028b801"|"16 0xc028b802") break ;;
	esac
done
kill -KILL "$pid"
echo "agent-kill: killed in $cmd"
sleep 1
/bin/vmcompact-agent 2> /dev/console &
echo "agent-kill: started again"
wait
