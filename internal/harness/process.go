package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// proc is one child process with its output in a log file. It runs in its own process group so
// that everything it starts dies with it, and it is killed if the test binary dies first.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

func startProc(name, logPath string, env []string, dir string, argv ...string) (*proc, error) {
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, f, f
	cmd.Env = append(os.Environ(), env...)
	// Pdeathsig: a test binary killed mid-run (a panic in a test goroutine, a timeout) takes its
	// children with it, so no run leaves a process or a port behind.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := spawn(cmd); err != nil {
		f.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() { cmd.Wait(); f.Close(); close(p.done) }()
	return p, nil
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// spawner starts every child from one goroutine locked to its OS thread for the life of the test
// binary: Pdeathsig fires when the thread that forked a child ends, and Go may end other threads.
var (
	spawner   = make(chan spawnReq)
	spawnOnce sync.Once
)

type spawnReq struct {
	cmd  *exec.Cmd
	errc chan error
}

func startSpawner() {
	go func() {
		runtime.LockOSThread() // never unlocked: this thread lives as long as the process
		for r := range spawner {
			r.errc <- r.cmd.Start()
		}
	}()
}

func spawn(cmd *exec.Cmd) error {
	spawnOnce.Do(startSpawner)
	errc := make(chan error, 1)
	spawner <- spawnReq{cmd, errc}
	return <-errc
}

// kill sends SIGKILL to the whole process group (a crash, as kill -9) and waits for the exit.
func (p *proc) kill() {
	if p == nil || p.exited() {
		return
	}
	syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
}

// stop asks the group to end (SIGTERM) and kills it after grace.
func (p *proc) stop(grace time.Duration) {
	if p == nil || p.exited() {
		return
	}
	syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		p.kill()
	}
	// A group member may outlive its leader; make sure none does.
	syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
}

// cpu is the CPU time the process has used.
func (p *proc) cpu() (time.Duration, error) { return CPUOf(p.cmd.Process.Pid) }

// CPUOf is the CPU time process pid has used (utime + stime of /proc/<pid>/stat, in clock ticks
// of 1/100 s, the value Linux reports on every architecture Go runs tests on here).
func CPUOf(pid int) (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc stat of process %d", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// tail returns the last n lines of the process's log.
func (p *proc) tail(n int) string {
	b, _ := os.ReadFile(p.log)
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// waitLog waits until the log contains s, failing early when the process exits.
func (p *proc) waitLog(ctx context.Context, s string) error {
	return poll(ctx, p, func() bool {
		b, _ := os.ReadFile(p.log)
		return strings.Contains(string(b), s)
	})
}

// waitPort waits until something accepts connections on the loopback port.
func (p *proc) waitPort(ctx context.Context, port int) error {
	return poll(ctx, p, func() bool {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
}

func poll(ctx context.Context, p *proc, ok func() bool) error {
	for {
		if ok() {
			return nil
		}
		if p.exited() {
			return fmt.Errorf("%s exited early; its log ends:\n%s", p.name, p.tail(30))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready: %w; its log ends:\n%s", p.name, ctx.Err(), p.tail(30))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// freePorts reserves n distinct free loopback ports by listening on them together, then releases
// them. They are drawn below Linux's ephemeral range (32768 and up), like dapr.yaml's: a port from
// that range, freed while a test restarts its process, can meanwhile be handed to any listen(":0")
// or outgoing connection on the machine, and a sidecar would then forward its app's calls to a
// stranger: the likely cause of a chaos flash sale (inventory's app killed and restarted) that
// created 101 orders for 100 units, twice, each time with other packages' tests running beside it.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for tries := 0; len(ports) < n; tries++ {
		if tries == 1000 {
			return nil, fmt.Errorf("no %d free ports in %d-%d", n, portsFrom, portsTo)
		}
		port := portsFrom + rand.IntN(portsTo-portsFrom+1)
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue // taken
		}
		ls = append(ls, l)
		ports = append(ports, port)
	}
	return ports, nil
}

// The harness's ports: above the local development ports of dapr.yaml (3501-9108), below the
// ephemeral range.
const portsFrom, portsTo = 20000, 32767
