package store

// The one mechanism every family inside a project shares (feature flags, actions, surveys,
// experiments, dashboards, insights, alerts, hog functions, ...): its records by id and per
// project in creation order, ids from one counter per family (PostHog's ids are table-wide
// serials, so a flag's id never repeats across projects), lookups that never cross projects,
// and soft deletion (PostHog keeps most of these rows with deleted = true).

// ProjectRecord is embedded first in every record that lives inside a project.
type ProjectRecord struct {
	// ID is the record's id, unique across the family (all projects).
	ID int
	// ProjectID is the project (team) the record belongs to.
	ProjectID int
	// Deleted marks a soft-deleted record: kept, but hidden from lists and lookups that
	// follow PostHog's "deleted=False" querysets.
	Deleted bool
}

// base gives the embedded ProjectRecord (the constraint below).
func (r *ProjectRecord) base() *ProjectRecord { return r }

// projectScoped is satisfied by a pointer to a record that embeds ProjectRecord.
type projectScoped[T any] interface {
	*T
	base() *ProjectRecord
}

// projectRecords holds one family's records. The zero value is ready after init. It is a
// tree of values (records in one map, per-project lists of ids), as deepCopy and the codec
// require.
type projectRecords[T any, P projectScoped[T]] struct {
	byID      map[int]*T
	byProject map[int][]int // creation order
	lastID    int
}

func (t *projectRecords[T, P]) init() {
	t.byID = map[int]*T{}
	t.byProject = map[int][]int{}
}

// add gives r the next id and files it under its project.
func (t *projectRecords[T, P]) add(r *T) {
	b := P(r).base()
	t.lastID++
	b.ID = t.lastID
	t.byID[b.ID] = r
	t.byProject[b.ProjectID] = append(t.byProject[b.ProjectID], b.ID)
}

// get finds a record of the project by id, soft-deleted ones included (nil when it is not
// there or belongs to another project).
func (t *projectRecords[T, P]) get(projectID, id int) *T {
	r := t.byID[id]
	if r == nil || P(r).base().ProjectID != projectID {
		return nil
	}
	return r
}

// live finds a record of the project that is not soft-deleted.
func (t *projectRecords[T, P]) live(projectID, id int) *T {
	r := t.get(projectID, id)
	if r == nil || P(r).base().Deleted {
		return nil
	}
	return r
}

// all lists the project's records in creation order; with deleted false, soft-deleted ones
// are left out.
func (t *projectRecords[T, P]) all(projectID int, deleted bool) []*T {
	ids := t.byProject[projectID]
	out := make([]*T, 0, len(ids))
	for _, id := range ids {
		r := t.byID[id]
		if deleted || !P(r).base().Deleted {
			out = append(out, r)
		}
	}
	return out
}

// find is the project's first record, in creation order, that match accepts (soft-deleted
// ones only when deleted is true), or nil: a look-up by a field without building a list.
func (t *projectRecords[T, P]) find(projectID int, deleted bool, match func(*T) bool) *T {
	for _, id := range t.byProject[projectID] {
		r := t.byID[id]
		if (deleted || !P(r).base().Deleted) && match(r) {
			return r
		}
	}
	return nil
}

// remove deletes a record for good (the families PostHog hard-deletes).
func (t *projectRecords[T, P]) remove(r *T) {
	b := P(r).base()
	delete(t.byID, b.ID)
	t.byProject[b.ProjectID] = removeInt(t.byProject[b.ProjectID], b.ID)
}

// dropProject forgets everything the project holds (its organization was deleted).
func (t *projectRecords[T, P]) dropProject(projectID int) {
	for _, id := range t.byProject[projectID] {
		delete(t.byID, id)
	}
	delete(t.byProject, projectID)
}

// count is the number of records across projects, soft-deleted included.
func (t *projectRecords[T, P]) count() int { return len(t.byID) }

// maxID is the highest id held (for import checks: the counter must not be behind it).
func (t *projectRecords[T, P]) maxID() int {
	m := 0
	for id := range t.byID {
		m = max(m, id)
	}
	return m
}
