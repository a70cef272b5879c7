package demo

import (
	"net/http"
	"strconv"
)

// price is an amount in cents, encoded as a JSON number with two decimals
// (89.90, never 89.9).
type price int64

// MarshalJSON implements json.Marshaler.
func (p price) MarshalJSON() ([]byte, error) {
	v := int64(p)
	out := make([]byte, 0, 24)
	if v < 0 {
		out = append(out, '-')
		v = -v
	}
	out = strconv.AppendInt(out, v/100, 10)
	out = append(out, '.', byte('0'+v%100/10), byte('0'+v%10))
	return out, nil
}

// product is one entry of the catalog's public list view.
type product struct {
	ID       int      `json:"id"`
	SKU      string   `json:"sku"`
	Name     string   `json:"name"`
	Price    price    `json:"price"`
	Currency string   `json:"currency"`
	ImageURL string   `json:"image_url"`
	InStock  bool     `json:"in_stock"`
	Tags     []string `json:"tags"`
}

// catalogProducts returns the fixed product list, in catalog order.
func catalogProducts() []product {
	p := func(id int, name string, cents int64, inStock bool, tags ...string) product {
		sku := "SKU-" + strconv.Itoa(1000+id)
		return product{
			ID:       id,
			SKU:      sku,
			Name:     name,
			Price:    price(cents),
			Currency: "EUR",
			ImageURL: "https://images.example.com/products/" + sku + ".jpg",
			InStock:  inStock,
			Tags:     tags,
		}
	}
	return []product{
		p(1, "Trail Running Shoes", 8999, true, "shoes", "running", "outdoor"),
		p(2, "Waterproof Rain Jacket", 12950, true, "jackets", "rain"),
		p(3, "Merino Wool Socks (3-pack)", 2495, true, "socks", "merino"),
		p(4, "Insulated Water Bottle 750 ml", 1990, true, "bottles", "hydration"),
		p(5, "Daypack 22 L", 6400, true, "bags", "hiking"),
		p(6, "Headlamp 400 lm", 3499, false, "lighting", "camping"),
		p(7, "Trekking Poles (pair)", 7995, true, "hiking", "poles"),
		p(8, "Packable Down Vest", 9900, true, "jackets", "insulation"),
		p(9, "Quick-Dry Hiking Shorts", 4450, true, "shorts", "hiking"),
		p(10, "Compact Camp Stove", 4999, false, "camping", "cooking"),
		p(11, "Sun Hat UPF 50", 2700, true, "hats", "sun"),
		p(12, "First-Aid Kit", 2249, true, "safety", "camping"),
	}
}

// promo is one marketing promotion.
type promo struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	ImageURL  string `json:"image_url"`
	TargetURL string `json:"target_url"`
}

// promosDocument is the wrapped /marketing-promos answer.
type promosDocument struct {
	Data struct {
		Items                []promo `json:"items"`
		ValidUntil           string  `json:"valid_until"`
		CampaignInternalCode string  `json:"campaign_internal_code"`
	} `json:"data"`
	Meta struct {
		Source     string `json:"source"`
		APIVersion string `json:"api_version"`
		ItemCount  int    `json:"item_count"`
	} `json:"meta"`
}

// marketingPromos returns the fixed promotions document.
func marketingPromos() promosDocument {
	var d promosDocument
	d.Data.Items = []promo{
		{"promo-301", "Spring trail sale: 20% off running shoes",
			"https://images.example.com/promos/spring-trail.jpg", "https://shop.example.com/promos/spring-trail"},
		{"promo-302", "Free socks with any jacket",
			"https://images.example.com/promos/free-socks.jpg", "https://shop.example.com/promos/free-socks"},
		{"promo-303", "Camp kitchen week: stoves from 39.99",
			"https://images.example.com/promos/camp-kitchen.jpg", "https://shop.example.com/promos/camp-kitchen"},
	}
	d.Data.ValidUntil = "2099-12-31T23:59:59Z"
	d.Data.CampaignInternalCode = "CMP-2026-Q2-OUTDOOR-7731"
	d.Meta.Source = "catalog-demo"
	d.Meta.APIVersion = "2.4"
	d.Meta.ItemCount = len(d.Data.Items)
	return d
}

// CatalogHandler returns the catalog service: GET /products (a top-level
// JSON array) and GET /marketing-promos (a document wrapped in "data"). Every
// body is encoded once, here. Any other path is a 404 JSON error.
func CatalogHandler() http.Handler {
	products := mustJSON(catalogProducts())
	promos := mustJSON(marketingPromos())
	return &service{
		errors: newErrorBodies(),
		route: func(path string) (int, body, bool) {
			switch path {
			case "/products":
				return http.StatusOK, products, true
			case "/marketing-promos":
				return http.StatusOK, promos, true
			default:
				return 0, body{}, false
			}
		},
	}
}
