package main

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
)

// sessionChecks: TLS pinning, login and its faults, the session as SessionManager reports it, and the
// service content. They leave b.client logged in for the checks after them.
func sessionChecks(b *Battery) {
	b.check("session.govmomi_new_client", func() (string, error) {
		ctx, cancel := b.timed()
		defer cancel()
		u := *b.url
		u.User = url.UserPassword(b.user, b.password)
		client, err := govmomi.NewClient(ctx, &u, true)
		if err != nil {
			return "", err
		}
		defer func() { _ = client.Logout(ctx) }()
		us, err := client.SessionManager.UserSession(ctx)
		if err != nil {
			return "", err
		}
		if us == nil || us.UserName != b.user {
			return "", fmt.Errorf("currentSession after login: %+v, wanted user %q", us, b.user)
		}
		return "logged in as " + us.UserName + " (insecure TLS, as govc -k)", nil
	})

	b.check("tls.thumbprint_pinned_login", func() (string, error) {
		client, err := b.login(b.password)
		if err != nil {
			return "", err
		}
		b.client = client
		if b.thumbprint == "" {
			return "no -sha1 given: logged in without pinning", nil
		}
		return "logged in with the certificate pinned by SHA-1 " + b.thumbprint[:8] + "...", nil
	})

	b.check("tls.wrong_thumbprint_refused", func() (string, error) {
		ctx, cancel := b.timed()
		defer cancel()
		sc := soap.NewClient(b.url, false)
		sc.SetThumbprint(b.url.Host, strings.Repeat("00:", 19)+"00")
		_, err := vim25.NewClient(ctx, sc)
		if err == nil {
			return "", errors.New("a wrong thumbprint was accepted")
		}
		if !strings.Contains(err.Error(), "thumbprint") {
			return "", fmt.Errorf("refused, but not for the thumbprint: %v", err)
		}
		return "refused: " + err.Error(), nil
	})

	b.check("session.invalid_login_fault", func() (string, error) {
		_, err := b.login("wrong-" + b.password)
		return expectFault(err, "InvalidLogin")
	})

	b.check("session.current_session_anonymous_unset", func() (string, error) {
		ctx, cancel := b.timed()
		defer cancel()
		vc, err := b.anonymous(ctx)
		if err != nil {
			return "", err
		}
		var sm mo.SessionManager
		pc := property.DefaultCollector(vc)
		if err := pc.RetrieveOne(ctx, *vc.ServiceContent.SessionManager, []string{"currentSession"}, &sm); err != nil {
			return "", fmt.Errorf("reading currentSession without a session: %v", err)
		}
		if sm.CurrentSession != nil {
			return "", fmt.Errorf("currentSession without a session: %+v", sm.CurrentSession)
		}
		return "readable without a session, unset", nil
	})

	b.check("session.current_session_user", func() (string, error) {
		if err := needs("a login", b.client != nil); err != nil {
			return "", err
		}
		ctx, cancel := b.timed()
		defer cancel()
		us, err := session.NewManager(b.client.Client).UserSession(ctx)
		if err != nil {
			return "", err
		}
		if us == nil || us.UserName != b.user || us.Key == "" {
			return "", fmt.Errorf("currentSession: %+v, wanted user %q with a key", us, b.user)
		}
		return "user " + us.UserName, nil
	})

	b.check("service_content.about_host_agent", func() (string, error) {
		if err := needs("a login", b.client != nil); err != nil {
			return "", err
		}
		about := b.client.ServiceContent.About
		if about.ApiType != "HostAgent" || about.Version == "" || about.ApiVersion == "" {
			return "", fmt.Errorf("about: apiType %q version %q apiVersion %q", about.ApiType, about.Version, about.ApiVersion)
		}
		return fmt.Sprintf("%s (API %s)", about.FullName, about.ApiVersion), nil
	})

	b.check("service_content.search_index", func() (string, error) {
		if err := needs("a login", b.client != nil); err != nil {
			return "", err
		}
		ref := b.client.ServiceContent.SearchIndex
		if ref == nil || ref.Type != "SearchIndex" {
			return "", fmt.Errorf("searchIndex: %v", ref)
		}
		return "searchIndex " + ref.Value, nil
	})
}

// logoutChecks: after Logout the session's cookie is refused (NotAuthenticated) and currentSession
// reads as unset again.
func logoutChecks(b *Battery) {
	b.check("session.logout_not_authenticated", func() (string, error) {
		if err := needs("a login", b.client != nil && b.host != nil); err != nil {
			return "", err
		}
		ctx, cancel := b.timed()
		defer cancel()
		if err := b.client.Logout(ctx); err != nil {
			return "", err
		}
		var host mo.HostSystem
		err := b.client.RetrieveOne(ctx, b.host.Reference(), []string{"name"}, &host)
		return expectFault(err, "NotAuthenticated")
	})

	b.check("session.logout_current_session_unset", func() (string, error) {
		if err := needs("a login", b.client != nil); err != nil {
			return "", err
		}
		ctx, cancel := b.timed()
		defer cancel()
		us, err := session.NewManager(b.client.Client).UserSession(ctx)
		if err != nil {
			return "", err
		}
		if us != nil {
			return "", fmt.Errorf("currentSession after logout: %+v", us)
		}
		var sm mo.SessionManager
		pc := property.DefaultCollector(b.client.Client)
		if err := pc.RetrieveOne(ctx, *b.client.ServiceContent.SessionManager, []string{"currentSession"}, &sm); err != nil {
			return "", fmt.Errorf("reading currentSession after logout: %v", err)
		}
		return "unset, and readable without a session", nil
	})
}
