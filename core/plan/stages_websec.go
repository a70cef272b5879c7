package plan

import (
	"context"

	"github.com/tributary-gw/tributary/core/stage"
	"github.com/tributary-gw/tributary/core/websec"
)

// corsStage compiles security/cors; nil when it is not configured. A
// preflight answered by CORS never reaches the security/http stage, so
// the CORS stage adds the security headers to its own answers.
func (c *compiler) corsStage() (stage.Endpoint, error) {
	o := c.cfg.CORS
	if o == nil {
		return nil, nil
	}
	cors, err := websec.NewCORS(websec.CORSOptions{
		AllowOrigins:         o.AllowOrigins,
		AllowMethods:         o.AllowMethods,
		AllowHeaders:         o.AllowHeaders,
		ExposeHeaders:        o.ExposeHeaders,
		AllowCredentials:     o.AllowCredentials,
		MaxAge:               o.MaxAge,
		OptionsPassthrough:   o.OptionsPassthrough,
		OptionsSuccessStatus: o.OptionsSuccessStatus,
		AllowPrivateNetwork:  o.AllowPrivateNetwork,
		Debug:                o.Debug,
	})
	if err != nil {
		return nil, err
	}
	sec, err := c.secure()
	if err != nil || sec == nil {
		return cors, err
	}
	return corsWithHeaders{cors, sec}, nil
}

// corsWithHeaders is CORS followed, on a preflight it answers, by the
// security headers.
type corsWithHeaders struct {
	cors *websec.CORS
	sec  *websec.Secure
}

// Run implements stage.Endpoint.
func (s corsWithHeaders) Run(ctx context.Context, x *stage.Exchange) *stage.Reply {
	rep := s.cors.Run(ctx, x)
	if rep != nil {
		s.sec.AddHeaders(x)
	}
	return rep
}

// httpSecureStage compiles security/http; nil when it is not configured.
func (c *compiler) httpSecureStage() (stage.Endpoint, error) {
	sec, err := c.secure()
	if err != nil || sec == nil {
		return nil, err
	}
	return sec, nil
}

// secure compiles security/http once per Compile; nil when absent.
func (c *compiler) secure() (*websec.Secure, error) {
	o := c.cfg.HTTPSecure
	if o == nil {
		return nil, nil
	}
	v, err := c.memo("websec:secure", func() (any, error) {
		proxy := make([]websec.HeaderValue, len(o.SSLProxyHeaders))
		for i, h := range o.SSLProxyHeaders {
			proxy[i] = websec.HeaderValue{Name: h.Name, Value: h.Value}
		}
		return websec.NewSecure(websec.SecureOptions{
			AllowedHosts:            o.AllowedHosts,
			AllowedHostsAreRegex:    o.AllowedHostsAreRegex,
			HostProxyHeaders:        o.HostProxyHeaders,
			STSSeconds:              o.STSSeconds,
			STSIncludeSubdomains:    o.STSIncludeSubdomains,
			ForceSTSHeader:          o.ForceSTSHeader,
			FrameDeny:               o.FrameDeny,
			CustomFrameOptionsValue: o.CustomFrameOptionsValue,
			ContentTypeNosniff:      o.ContentTypeNosniff,
			BrowserXSSFilter:        o.BrowserXSSFilter,
			ContentSecurityPolicy:   o.ContentSecurityPolicy,
			ReferrerPolicy:          o.ReferrerPolicy,
			SSLRedirect:             o.SSLRedirect,
			SSLHost:                 o.SSLHost,
			SSLProxyHeaders:         proxy,
			IsDevelopment:           o.IsDevelopment,
		})
	})
	if err != nil {
		return nil, err
	}
	return v.(*websec.Secure), nil
}
