package liveview_test

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// Post is one item of a feed.
type Post struct {
	ID   int
	Text string
}

// Feed is the state of FeedView: a stream of posts. The view keeps no post:
// each is sent to the page once and forgotten.
type Feed struct {
	Posts *liveview.Stream[Post]
}

// FeedView shows the newest three posts, newest first.
type FeedView struct{}

var postsTmpl = render.MustCheck[Feed](render.Parse(`<ol id="posts" phx-update="stream">
  {{range $id, $p := .Posts}}<li id="{{$id}}">{{$p.Text}}</li>{{end}}
</ol>`))

func (FeedView) Mount(s *liveview.Socket[Feed], p liveview.Params) error {
	s.Assign(func(f *Feed) {
		f.Posts = liveview.NewStream(func(p Post) string { return fmt.Sprintf("post-%d", p.ID) })
		f.Posts.SetLimit(3) // keep the first three: the newest
		f.Posts.Prepend(Post{2, "second"}, Post{1, "first"})
	})
	return nil
}

func (FeedView) HandleEvent(s *liveview.Socket[Feed], e liveview.Event) error {
	s.Assign(func(f *Feed) {
		switch e.Name {
		case "post":
			f.Posts.Prepend(Post{e.Params.Int("id"), e.Params.String("text")})
		case "delete":
			f.Posts.DeleteID(e.Params.String("dom_id"))
		}
	})
	return nil
}

func (FeedView) Render(f Feed) (*render.Rendered, error) { return postsTmpl.Execute(f) }

func ExampleStream() {
	srv := liveview.NewServer(liveview.Config{})
	defer srv.Close()
	srv.Handle("/feed", liveview.View[Feed](FeedView{}))
	ts := liveviewtest.Start(srv)
	defer ts.Close()
	v, err := ts.Mount("/feed")
	if err != nil {
		fmt.Println(err)
		return
	}
	posts := regexp.MustCompile(`<li id="post-\d+">([^<]*)</li>`)
	show := func() {
		var texts []string
		for _, m := range posts.FindAllStringSubmatch(v.HTML(), -1) {
			texts = append(texts, m[1])
		}
		fmt.Println(strings.Join(texts, ", "))
	}
	show()
	v.ClickEvent("post", map[string]any{"id": 3, "text": "third"})
	v.ClickEvent("post", map[string]any{"id": 4, "text": "fourth"})
	show() // the limit trimmed "first" from the page
	v.ClickEvent("delete", map[string]any{"dom_id": "post-3"})
	show()
	// Output:
	// second, first
	// fourth, third, second
	// fourth, second
}
