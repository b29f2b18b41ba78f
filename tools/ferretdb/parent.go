package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"time"
)

// Embedded servers must not outlive the service that started them, however it dies: a heap OOM
// or SIGKILL of node runs no exit hook, and an orphaned server keeps the DATA_DIR's files open
// (and its port) until the next start finds it. Linux delivers a chosen signal to a process when
// its parent dies (PR_SET_PDEATHSIG); we ask for it, and poll getppid as a second line.

// dieWithParent asks the kernel for SIGTERM when the parent dies. The setting belongs to the
// calling thread, so the caller must hold its OS thread (runtime.LockOSThread) for as long as it
// should apply. A parent that died before the call is caught by comparing getppid with the pid
// the parent passed (-parent-pid): we were re-parented already and exit at once.
func dieWithParent(parentPid int) {
	if err := setParentDeathSignal(syscall.SIGTERM); err != nil {
		fmt.Fprintf(os.Stderr, "prctl(PR_SET_PDEATHSIG): %v\n", err)
	}
	if parentPid > 0 && os.Getppid() != parentPid {
		fmt.Fprintf(os.Stderr, "parent %d is gone before start; exiting\n", parentPid)
		os.Exit(1)
	}
}

func setParentDeathSignal(sig syscall.Signal) error {
	_, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(sig), 0)
	if errno != 0 {
		return errno
	}
	return nil
}

// watchParent holds a locked OS thread with the death signal set, then polls getppid every
// `every` and calls onOrphaned once it changes (the signal should come first; this covers a
// kernel or sandbox where prctl is refused). It returns only once orphaned: until then its
// thread, which carries the setting, stays alive.
func watchParent(parentPid int, every time.Duration, onOrphaned func()) {
	runtime.LockOSThread()
	dieWithParent(parentPid)
	parent := os.Getppid()
	for range time.Tick(every) {
		if os.Getppid() != parent {
			onOrphaned()
			return
		}
	}
}

// runWatchParent is `ferretdb watch-parent -parent-pid PID -- command args…`: it sets the death
// signal on this thread and then execs the command in place (same pid, so the service can stop
// it and record it as before). The setting survives execve for a program that is not set-uid, so
// redis-server gets SIGTERM (and shuts down cleanly, flushing its append-only file) when the
// service dies.
func runWatchParent(args []string) {
	flags := flag.NewFlagSet("watch-parent", flag.ExitOnError)
	parentPid := flags.Int("parent-pid", 0, "pid of the process that must be alive (the caller's own pid)")
	_ = flags.Parse(args)
	command := flags.Args()
	if len(command) == 0 {
		fmt.Fprintln(os.Stderr, "usage: ferretdb watch-parent -parent-pid PID -- command [args…]")
		os.Exit(2)
	}
	path, err := exec.LookPath(command[0])
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s could not start: %v\n", command[0], err)
		os.Exit(127)
	}
	// prctl and execve on the same thread: the setting is per thread.
	runtime.LockOSThread()
	dieWithParent(*parentPid)
	err = syscall.Exec(path, command, os.Environ())
	fmt.Fprintf(os.Stderr, "%s could not start: %v\n", command[0], err)
	os.Exit(127)
}
