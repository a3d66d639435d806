package fake

// pluginKind selects which plugins a family of routes shows: all of them (plugins/) or one
// pipeline capability (pipeline_transformations/, ...). One implementation serves all five.
type pluginKind int

// The plugin families.
const (
	pluginsAll pluginKind = iota
	pipelineTransformations
	pipelineDestinations
	pipelineFrontendApps
	pipelineImportApps
)

// pluginFamily serves one family of plugin routes.
type pluginFamily struct{ kind pluginKind }

func (f pluginFamily) activity(c *call) (any, error) { return nil, errNotImplemented }

func (f pluginFamily) checkForUpdates(c *call) (any, error) { return nil, errNotImplemented }

func (f pluginFamily) create(c *call) (any, error) { return nil, errNotImplemented }

func (f pluginFamily) delete(c *call) (any, error) { return nil, errNotImplemented }

func (f pluginFamily) exportsUnsubscribeConfigs(c *call) (any, error) { return nil, errNotImplemented }

func (f pluginFamily) get(c *call) (any, error) { return nil, errNotImplemented }

func (f pluginFamily) list(c *call) (any, error) { return nil, errNotImplemented }

func (f pluginFamily) repository(c *call) (any, error) { return nil, errNotImplemented }

func (f pluginFamily) source(c *call) (any, error) { return nil, errNotImplemented }

func (f pluginFamily) unused(c *call) (any, error) { return nil, errNotImplemented }

func (f pluginFamily) update(c *call) (any, error) { return nil, errNotImplemented }

func (f pluginFamily) updateSource(c *call) (any, error) { return nil, errNotImplemented }

func (f pluginFamily) upgrade(c *call) (any, error) { return nil, errNotImplemented }
