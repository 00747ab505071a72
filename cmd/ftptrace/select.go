package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ftptrace/ftptrace/analyzer"
)

// The narrowing flags choose the sessions every view shows (and -w
// writes): --session, --host, --user, --since, --until, all of them when
// several are given. Sessions keep their numbers in the capture.

// narrowed tells whether a narrowing flag was given.
func narrowed(cfg *config) bool {
	return len(cfg.sessions) > 0 || len(cfg.hosts) > 0 || len(cfg.users) > 0 || !cfg.since.IsZero() || !cfg.until.IsZero()
}

// selects tells whether the narrowing flags keep a session.
func (cfg *config) selects(s *analyzer.Session) bool { return cfg.selectsBut(s, true) }

// selectsBut is selects, with --user judged only when users is true.
func (cfg *config) selectsBut(s *analyzer.Session, users bool) bool {
	if len(cfg.sessions) > 0 && !slices.Contains(cfg.sessions, s.ID) {
		return false
	}
	if len(cfg.hosts) > 0 && !cfg.hostMatches(s) {
		return false
	}
	if users && len(cfg.users) > 0 && !cfg.userMatches(s) {
		return false
	}
	if !cfg.since.IsZero() && s.End.Before(cfg.since) {
		return false
	}
	if !cfg.until.IsZero() && s.Start.After(cfg.until) {
		return false
	}
	return true
}

// selectsLive tells whether a step of a live session is shown before the
// session ends: --user cannot judge a session that has not logged in yet,
// so its steps are shown until a user name says otherwise.
func (cfg *config) selectsLive(s *analyzer.Session) bool {
	if s.User == "" && len(s.Credentials) == 0 {
		return cfg.selectsBut(s, false)
	}
	return cfg.selects(s)
}

func (cfg *config) hostMatches(s *analyzer.Session) bool {
	for _, p := range cfg.hosts {
		if p.Contains(s.Client.Addr().Unmap()) || p.Contains(s.Server.Addr().Unmap()) {
			return true
		}
	}
	return false
}

// userMatches: the session's user, or any user a login attempt named.
func (cfg *config) userMatches(s *analyzer.Session) bool {
	for _, u := range cfg.users {
		if s.User == u {
			return true
		}
		for _, c := range s.Credentials {
			if c.User == u {
				return true
			}
		}
	}
	return false
}

// sessionRanges writes session numbers as ranges: 1-6, 9.
func sessionRanges(ids []int) string {
	if len(ids) == 0 {
		return "no session"
	}
	slices.Sort(ids)
	var parts []string
	for i := 0; i < len(ids); {
		j := i
		for j+1 < len(ids) && ids[j+1] == ids[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, fmt.Sprint(ids[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", ids[i], ids[j]))
		}
		i = j + 1
	}
	word := "sessions "
	if len(ids) == 1 {
		word = "session "
	}
	return word + strings.Join(parts, ", ")
}
