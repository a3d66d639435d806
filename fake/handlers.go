package fake

// Shapes the resource handlers share: finding the URL's record (or the plain 404), reading
// the body after it, deleting it.

import (
	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
)

// orNotFound gives the record, or the plain 404 ("Not found.") when there is none: how the
// finders of the handlers (c.domain(), c.role(), ...) answer for the URL's id.
func orNotFound[T any](r *T) (*T, error) {
	if r == nil {
		return nil, store.ErrNotFound()
	}
	return r, nil
}

// foundWithBody finds the URL's record, then reads the body as a JSON object: a missing
// record answers 404 before a bad body is looked at.
func foundWithBody[T any](c *call, find func() (*T, error)) (*T, gjson.Result, error) {
	r, err := find()
	if err != nil {
		return nil, gjson.Result{}, err
	}
	body, err := c.object()
	if err != nil {
		return nil, gjson.Result{}, err
	}
	return r, body, nil
}

// deleteFound is the delete handlers' shape: find the URL's record (404 when it is not
// there), delete it, answer 204.
func deleteFound[T any](find func() (*T, error), del func(*T)) (any, error) {
	r, err := find()
	if err != nil {
		return nil, err
	}
	del(r)
	return nil, nil
}
