package plan

import (
	"fmt"
	"net/http"
	"regexp"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/martian"
	"github.com/tributary-gw/tributary/core/stage"
)

// martianStage compiles b's modifier/martian block into one request tree
// and one response tree; nil when the block is absent (or would never
// run).
func (c *compiler) martianStage(b *config.Backend) (stage.Backend, error) {
	if b.Martian == nil {
		return nil, nil
	}
	req, err := compileMartian(b.Martian, true)
	if err != nil {
		return nil, err
	}
	resp, err := compileMartian(b.Martian, false)
	if err != nil {
		return nil, err
	}
	if s := martian.NewStage(req, resp); s != nil {
		return s, nil
	}
	return nil, nil
}

// compileMartian compiles the side (request when req, else response) of
// the modifier m: nil when m does not run on that side.
func compileMartian(m *config.Martian, req bool) (*martian.Modifier, error) {
	if m == nil || req && !m.Request || !req && !m.Response {
		return nil, nil
	}
	branches := func() (then, els *martian.Modifier, err error) {
		if then, err = compileMartian(m.Then, req); err != nil {
			return nil, nil, err
		}
		els, err = compileMartian(m.Else, req)
		return then, els, err
	}
	switch m.Type {
	case config.MartianHeaderModifier:
		return martian.SetHeader(m.Name, m.Value), nil
	case config.MartianHeaderAppend:
		return martian.AppendHeader(m.Name, m.Value), nil
	case config.MartianHeaderCopy:
		return martian.CopyHeader(m.From, m.To), nil
	case config.MartianHeaderBlacklist:
		return martian.RemoveHeaders(m.Names...), nil
	case config.MartianHeaderID:
		return martian.AddID(), nil
	case config.MartianHeaderFilter, config.MartianHeaderRegexFilter, config.MartianQueryFilter, config.MartianURLFilter:
		then, els, err := branches()
		if err != nil || then == nil && els == nil {
			return nil, err
		}
		switch m.Type {
		case config.MartianHeaderFilter:
			return martian.HeaderFilter(m.Name, m.Value, then, els), nil
		case config.MartianHeaderRegexFilter:
			re, err := regexp.Compile(m.Value)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", m.JSONPath, err)
			}
			return martian.HeaderRegexFilter(m.Name, re, then, els), nil
		case config.MartianQueryFilter:
			return martian.QueryFilter(m.Name, m.Value, then, els), nil
		default:
			return martian.URLFilter(m.Scheme, m.Host, m.Path, m.Query, then, els), nil
		}
	case config.MartianQueryModifier:
		return martian.SetQuery(m.Name, m.Value), nil
	case config.MartianURLModifier:
		return martian.RewriteURL(m.Scheme, m.Path, m.Query), nil
	case config.MartianBodyModifier:
		return martian.SetBody(m.ContentType, m.Body), nil
	case config.MartianCookieModifier:
		return martian.AddCookie(&http.Cookie{
			Name: m.Name, Value: m.Value, Path: m.Path, Domain: m.Domain, Expires: m.Expires,
			Secure: m.Secure, HttpOnly: m.HTTPOnly, MaxAge: m.MaxAge,
		}), nil
	case config.MartianPortModifier:
		switch {
		case m.DefaultForScheme:
			return martian.Port(martian.PortDefault, 0), nil
		case m.Remove:
			return martian.Port(martian.PortRemove, 0), nil
		}
		return martian.Port(martian.PortSet, m.Port), nil
	case config.MartianStashModifier:
		return martian.Stash(m.HeaderName), nil
	case config.MartianFifoGroup, config.MartianPriorityGroup:
		mods := make([]*martian.Modifier, len(m.Modifiers))
		for i, ch := range m.Modifiers {
			var err error
			if mods[i], err = compileMartian(ch, req); err != nil {
				return nil, err
			}
		}
		if m.Type == config.MartianPriorityGroup {
			return martian.PriorityGroup(mods, m.Priorities), nil
		}
		return martian.Group(mods...), nil
	}
	return nil, fmt.Errorf("%s: martian modifier %q not supported", m.JSONPath, m.Type)
}
