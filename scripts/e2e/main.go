// Command e2e opens ftptrace's HTML reports in headless Chromium (through
// the DevTools protocol, with chromedp) and checks what a reader would
// meet: the page opens within a time bound, shows something (its
// screenshot is not blank), logs no error to the console, every link of
// its index lands on a visible element (a session kept as text is drawn
// when its link is followed), the lane headers of a diagram stay in view
// when it scrolls, and the diagram's text keeps its size.
//
//	e2e -chromium /usr/bin/chromium -shots DIR NAME=PAGE.html ...
//
// It is a module of its own, so that chromedp is no dependency of
// ftptrace.
package main

import (
	"context"
	"flag"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

func main() {
	browser := flag.String("chromium", "chromium", "the browser to drive")
	shots := flag.String("shots", os.TempDir(), "where to write the screenshots")
	maxLoad := flag.Duration("max-load", 5*time.Second, "the longest a page may take to open")
	flag.Parse()
	failed := false
	for _, arg := range flag.Args() {
		name, path, ok := strings.Cut(arg, "=")
		if !ok {
			fmt.Fprintf(os.Stderr, "e2e: %q: give NAME=PAGE.html\n", arg)
			os.Exit(2)
		}
		if err := check(*browser, name, path, *shots, *maxLoad); err != nil {
			fmt.Printf("e2e: %s: FAIL: %v\n", name, err)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

// check opens one page in a browser of its own and runs every check on it.
func check(browser, name, path, shots string, maxLoad time.Duration) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	profile, err := os.MkdirTemp("", "e2e-chromium-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(profile)
	// Every flag that would make the browser reach the network is off:
	// the page must stand alone.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(profile),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(1280, 1600))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()

	var mu sync.Mutex
	var problems []string
	err = chromedp.Listen(ctx, func(ev any) {
		var p string
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			p = "exception: " + ev.ExceptionDetails.Text
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				var args []string
				for _, a := range ev.Args {
					args = append(args, fmt.Sprint(a.Value, a.Description))
				}
				p = fmt.Sprintf("console %s: %s", ev.Type, strings.Join(args, " "))
			}
		}
		if p != "" {
			mu.Lock()
			problems = append(problems, p)
			mu.Unlock()
		}
	})
	if err != nil {
		return err
	}

	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+abs)); err != nil {
		return fmt.Errorf("open: %w", err)
	}
	load := time.Since(start)
	fmt.Printf("e2e: %s: opened in %v\n", name, load.Round(time.Millisecond))
	if load > maxLoad {
		return fmt.Errorf("the page took %v to open, more than %v", load, maxLoad)
	}

	var page struct {
		Title, Lang     string
		Sessions, Links int
	}
	page, err = chromedp.Run(ctx, chromedp.Evaluate[struct {
		Title, Lang     string
		Sessions, Links int
	}](`({Title: document.title, Lang: document.documentElement.lang,
		Sessions: document.querySelectorAll("details.session").length,
		Links: document.querySelectorAll("table.index a[href^='#']").length})`))
	if err != nil {
		return err
	}
	title, lang, sessions, links := page.Title, page.Lang, page.Sessions, page.Links
	fmt.Printf("e2e: %s: title %q, lang %s, %d sessions, %d index links\n", name, title, lang, sessions, links)
	if sessions == 0 || links < 3*sessions {
		return fmt.Errorf("%d sessions and %d index links: every session wants three", sessions, links)
	}
	if err := screenshot(ctx, filepath.Join(shots, name+".png")); err != nil {
		return err
	}
	if err := followIndex(ctx, name); err != nil {
		return err
	}
	if err := diagramStaysReadable(ctx, name); err != nil {
		return err
	}
	if err := screenshot(ctx, filepath.Join(shots, name+"-diagram.png")); err != nil {
		return err
	}
	mu.Lock()
	defer mu.Unlock()
	if len(problems) > 0 {
		return fmt.Errorf("the console says:\n  %s", strings.Join(problems, "\n  "))
	}
	fmt.Printf("e2e: %s: OK\n", name)
	return nil
}

// followIndex follows every link of the index (at most 40 spread over it)
// and checks that each lands on an element that is shown, in view; a
// session's diagram link must show its drawn diagram.
func followIndex(ctx context.Context, name string) error {
	hrefs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("table.index a[href^='#']"), a => a.getAttribute("href"))`))
	if err != nil {
		return err
	}
	step := max(1, len(hrefs)/40)
	followed := 0
	for i := 0; i < len(hrefs); i += step {
		href := hrefs[i]
		// A reader clicks the link; the page's own handling (the browser,
		// and for a session kept as text the page's script) does the rest.
		sel := chromedp.CSS(fmt.Sprintf(`table.index a[href=%q]`, href))
		if err := chromedp.Do(ctx, chromedp.Click(sel), chromedp.Sleep(50*time.Millisecond)); err != nil {
			return fmt.Errorf("follow %s: %w", href, err)
		}
		landed, err := chromedp.Run(ctx, chromedp.Evaluate[struct {
			Found, Shown, InView, Drawn bool
		}](fmt.Sprintf(`(function(){
				var el = document.getElementById(%q);
				if (!el) return {Found:false};
				var r = el.getBoundingClientRect();
				var d = el.closest("details.session");
				return {Found:true, Shown: r.height > 0 && r.width > 0,
					InView: r.bottom > 0 && r.top < window.innerHeight,
					Drawn: !d || d.querySelector(".body svg") !== null};
			})()`, strings.TrimPrefix(href, "#"))))
		if err != nil {
			return fmt.Errorf("follow %s: %w", href, err)
		}
		if !landed.Found || !landed.Shown || !landed.InView || !landed.Drawn {
			return fmt.Errorf("the index link %s lands nowhere a reader sees: %+v", href, landed)
		}
		followed++
	}
	fmt.Printf("e2e: %s: %d index links followed, each to a shown element\n", name, followed)
	return nil
}

// diagramStaysReadable scrolls the first drawn diagram to its end and
// checks that its lane headers are still at the top of its box, that the
// diagram is drawn at its own size (not shrunk to the page) and that its
// text is no smaller than 10 pixels.
func diagramStaysReadable(ctx context.Context, name string) error {
	r, err := chromedp.Run(ctx, chromedp.Evaluate[struct {
		Drawn, HeadersOnTop, FullSize bool
		MinFont                       float64
		Rows                          int
	}](`(function(){
		var box = document.querySelector(".body .diagram");
		if (!box) return {Drawn:false};
		box.scrollIntoView();
		box.scrollTop = box.scrollHeight;
		var lanes = box.querySelector(".lanes").getBoundingClientRect();
		var top = box.getBoundingClientRect().top;
		var svg = box.querySelectorAll("svg")[1];
		var min = 1e9;
		svg.querySelectorAll("text").forEach(function(t){ min = Math.min(min, parseFloat(getComputedStyle(t).fontSize)); });
		return {Drawn:true, HeadersOnTop: Math.abs(lanes.top - top) < 3,
			FullSize: Math.abs(svg.getBoundingClientRect().width - svg.width.baseVal.value) < 1,
			MinFont: min, Rows: svg.querySelectorAll("g[id]").length};
	})()`))
	if err != nil {
		return err
	}
	fmt.Printf("e2e: %s: diagram scrolled to its end: %+v\n", name, r)
	if !r.Drawn || !r.HeadersOnTop || !r.FullSize || r.MinFont < 10 {
		return fmt.Errorf("the diagram is not readable at scale: %+v", r)
	}
	return nil
}

// screenshot saves the window and checks it is not blank: a blank page
// has one or two colours, the report many.
func screenshot(ctx context.Context, path string) error {
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return fmt.Errorf("screenshot %s: %w", path, err)
	}
	colours := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, a := img.At(x, y).RGBA()
			colours[[4]uint32{r, g, bl, a}] = true
		}
	}
	fmt.Printf("e2e: screenshot %s: %dx%d, %d colours\n", path, b.Dx(), b.Dy(), len(colours))
	if len(colours) < 16 {
		return fmt.Errorf("the screenshot %s looks blank (%d colours)", path, len(colours))
	}
	return nil
}
