package g3n

// The preview's shaders, registered with g3n's shader manager under their own names. One
// program draws every material (shaded, clay and unlit are uniforms, not variants), because
// each program llvmpipe compiles costs tens of milliseconds of the first frame. g3n's
// preprocessor puts "#version 330 core" in front of each source.
//
// Vertex attributes use g3n's fixed locations (its VBOs enable them by name, its VAOs are set
// up with whichever program draws a geometry first): 0 position, 1 normal, 2 colour, 3 UV.

const surfaceVertex = `
layout(location = 0) in vec3 VertexPosition;
layout(location = 1) in vec3 VertexNormal;
layout(location = 2) in vec3 VertexColor;
layout(location = 3) in vec2 VertexTexcoord;

uniform mat4 ModelViewMatrix;
uniform mat3 NormalMatrix;
uniform mat4 MVP;

out Surface {
	vec3 position; // camera space
	vec3 normal;   // camera space
	vec3 color;
	vec2 uv;
} vs;

void main() {
	vs.position = (ModelViewMatrix * vec4(VertexPosition, 1.0)).xyz;
	vs.normal = NormalMatrix * VertexNormal;
	vs.color = VertexColor;
	vs.uv = VertexTexcoord;
	gl_Position = MVP * vec4(VertexPosition, 1.0);
}
`

// wireGeometry gives each triangle's corners barycentric coordinates, so the fragment shader
// can draw edges one pixel wide whatever the distance: one pass, no second draw of the mesh,
// and lines that stay crisp (core profile GL has no wide lines anyway). Triangles only a few
// pixels big fade their lines, so a dense mesh reads as a tint showing density, not a solid
// mass of line colour.
const wireGeometry = `
layout(triangles) in;
layout(triangle_strip, max_vertices = 3) out;

uniform vec2 Viewport;

in Surface {
	vec3 position;
	vec3 normal;
	vec3 color;
	vec2 uv;
} gs_in[];

out Surface {
	vec3 position;
	vec3 normal;
	vec3 color;
	vec2 uv;
} gs_out;
noperspective out vec3 Bary;
flat out float WireStrength;

void main() {
	vec2 p[3];
	for (int i = 0; i < 3; i++) {
		p[i] = gl_in[i].gl_Position.xy / max(abs(gl_in[i].gl_Position.w), 1e-6) * Viewport * 0.5;
	}
	float area = abs((p[1].x - p[0].x) * (p[2].y - p[0].y) - (p[2].x - p[0].x) * (p[1].y - p[0].y)) * 0.5;
	float strength = mix(0.35, 1.0, clamp((area - 2.0) / 40.0, 0.0, 1.0));
	for (int i = 0; i < 3; i++) {
		gl_Position = gl_in[i].gl_Position;
		gs_out.position = gs_in[i].position;
		gs_out.normal = gs_in[i].normal;
		gs_out.color = gs_in[i].color;
		gs_out.uv = gs_in[i].uv;
		Bary = vec3(i == 0, i == 1, i == 2);
		WireStrength = strength;
		EmitVertex();
	}
	EndPrimitive();
}
`

// surfaceFragment is one program for every material and every look (the maps a material
// lacks, the lighting, the tone mapping and the debug views are uniforms and flags, not
// variants), because each program llvmpipe compiles costs tens of milliseconds of the
// first frame.
//
// Shading is glTF's metallic-roughness model as the Khronos sample viewer draws it: GGX
// distribution, Smith height-correlated visibility, Schlick Fresnel, a Lambert diffuse for
// the non-metal part. Two ways to light it:
//   - Environment: image-based lighting from a prefiltered equirectangular map (env.go): the
//     diffuse from nine spherical-harmonic coefficients, the specular from the mip level
//     matching the roughness, weighted by Karis's analytic fit of the split-sum BRDF.
//   - Studio: a hemisphere (sky above, ground below, in world terms) and three lights fixed
//     to the camera (a warm key from the upper left, a cool fill from the right, a rim from
//     behind), so that no view leaves a side pitch black.
//
// Lighting is done in linear light; colour textures (base colour, emissive) are sRGB and
// decoded here, data textures (metallic-roughness, normal, occlusion) are linear. The output
// is sRGB with premultiplied alpha, which is what the framebuffer blends and what Go's
// image.RGBA holds.
const surfaceFragment = `
in Surface {
	vec3 position;
	vec3 normal;
	vec3 color;
	vec2 uv;
} fs;
#ifdef WIRE
noperspective in vec3 Bary;
flat in float WireStrength;
#endif

// The material.
uniform sampler2D BaseMap;
uniform sampler2D MRMap;        // G roughness, B metallic
uniform sampler2D NormalMap;
uniform sampler2D OcclusionMap; // R
uniform sampler2D EmissiveMap;
uniform mat3 UVTransform[5];    // KHR_texture_transform of each map, in the order above
uniform vec4 BaseColor;         // linear RGBA
uniform vec3 Emissive;          // linear, emissiveFactor × KHR_materials_emissive_strength
uniform vec4 Params;            // metallic, roughness, alpha cutoff (< 0: none), flags
uniform vec2 MapParams;         // normal scale, occlusion strength

// The frame.
uniform int Look;               // 0 shaded, 1 clay, 2 normals, 3 UV checker, 4 base colour, 5 roughness, 6 metallic, 7 occlusion
uniform int Lighting;           // 0 environment, 1 studio
uniform int ToneMap;            // 0 ACES, 1 Khronos PBR Neutral, 2 linear
uniform float Exposure;         // linear scale
uniform mat3 ViewToWorld;
uniform sampler2D EnvMap;       // prefiltered levels, equirectangular, linear RGB
uniform float EnvLod;           // the last level: roughness 1
uniform vec3 EnvSH[9];          // irradiance ÷ π
uniform vec3 KeyDir;            // camera space, toward the light
uniform vec3 FillDir;
uniform vec3 RimDir;
uniform vec3 UpDir;             // world up in camera space
uniform float LineScale;        // wireframe line width, in pixels of the drawn frame

const vec3 keyColor = vec3(1.55, 1.47, 1.36) * 3.14159;
const vec3 fillColor = vec3(0.30, 0.34, 0.40) * 3.14159;
const vec3 rimColor = vec3(0.55, 0.55, 0.55) * 3.14159;
const vec3 skyColor = vec3(0.30, 0.32, 0.36);
const vec3 groundColor = vec3(0.11, 0.10, 0.09);
const vec3 clayColor = vec3(0.50, 0.48, 0.45);
const float PI = 3.14159265;

const int flagBase = 1;
const int flagColor = 2;
const int flagUnlit = 4;
const int flagMR = 8;
const int flagNormal = 16;
const int flagOcclusion = 32;
const int flagEmissive = 64;
const int flagUV = 128;
const int flagBlend = 256;

out vec4 FragColor;

vec3 toLinear(vec3 c) {
	return mix(c / 12.92, pow((c + 0.055) / 1.055, vec3(2.4)), step(0.04045, c));
}

vec3 toSRGB(vec3 c) {
	c = clamp(c, 0.0, 1.0);
	return mix(c * 12.92, 1.055 * pow(c, vec3(1.0 / 2.4)) - 0.055, step(0.0031308, c));
}

vec2 mapUV(int i) {
	return (UVTransform[i] * vec3(fs.uv, 1.0)).xy;
}

// aces is Narkowicz's fit of the ACES filmic curve: highlights roll off instead of clipping.
vec3 aces(vec3 x) {
	return clamp((x * (2.51 * x + 0.03)) / (x * (2.43 * x + 0.59) + 0.14), 0.0, 1.0);
}

// neutral is Khronos PBR Neutral: colours up to 0.8 pass unchanged, brighter ones compress
// toward white.
vec3 neutral(vec3 color) {
	float x = min(color.r, min(color.g, color.b));
	float offset = x < 0.08 ? x - 6.25 * x * x : 0.04;
	color -= offset;
	float peak = max(color.r, max(color.g, color.b));
	const float start = 0.8 - 0.04;
	if (peak < start) {
		return color;
	}
	const float d = 1.0 - start;
	float newPeak = 1.0 - d * d / (peak + d - start);
	color *= newPeak / peak;
	float g = 1.0 - 1.0 / (0.15 * (peak - newPeak) + 1.0);
	return mix(color, vec3(newPeak), g);
}

vec3 envSample(vec3 d, float lod) {
	vec2 uv = vec2(atan(d.x, -d.z) / (2.0 * PI) + 0.5, acos(clamp(d.y, -1.0, 1.0)) / PI);
	return textureLod(EnvMap, uv, lod).rgb;
}

vec3 irradiance(vec3 n) {
	return max(EnvSH[0] * 0.282095
		+ EnvSH[1] * 0.488603 * n.y + EnvSH[2] * 0.488603 * n.z + EnvSH[3] * 0.488603 * n.x
		+ EnvSH[4] * 1.092548 * n.x * n.y + EnvSH[5] * 1.092548 * n.y * n.z
		+ EnvSH[6] * 0.315392 * (3.0 * n.z * n.z - 1.0)
		+ EnvSH[7] * 1.092548 * n.x * n.z + EnvSH[8] * 0.546274 * (n.x * n.x - n.y * n.y), 0.0);
}

// envBRDF is Karis's analytic fit of the split-sum's scale and bias of F0.
vec2 envBRDF(float nv, float rough) {
	const vec4 c0 = vec4(-1.0, -0.0275, -0.572, 0.022);
	const vec4 c1 = vec4(1.0, 0.0425, 1.04, -0.04);
	vec4 r = rough * c0 + c1;
	float a004 = min(r.x * r.x, exp2(-9.28 * nv)) * r.x + r.y;
	return vec2(-1.04, 1.04) * a004 + r.zw;
}

// direct is one light's contribution: GGX, Smith height-correlated visibility, Schlick
// Fresnel; the diffuse part loses what the specular reflects.
vec3 direct(vec3 n, vec3 v, vec3 l, vec3 color, vec3 diffuse, vec3 f0, float alpha) {
	float nl = max(dot(n, l), 0.0);
	if (nl <= 0.0) {
		return vec3(0.0);
	}
	vec3 h = normalize(l + v);
	float nv = max(dot(n, v), 1e-4);
	float nh = max(dot(n, h), 0.0);
	float a2 = alpha * alpha;
	float dd = nh * nh * (a2 - 1.0) + 1.0;
	float D = a2 / (PI * dd * dd);
	float vis = 0.5 / (nl * sqrt(nv * nv * (1.0 - a2) + a2) + nv * sqrt(nl * nl * (1.0 - a2) + a2));
	vec3 F = f0 + (1.0 - f0) * pow(1.0 - max(dot(v, h), 0.0), 5.0);
	return color * nl * ((1.0 - F) * diffuse / PI + F * D * vis);
}

// checker is the UV checker: an 8×8 grid of squares over each unit of UV, alternating light
// and dark, tinted by column (hue) and row (brightness) so that a flipped or rotated island
// shows, with each square's number (row × 8 + column, 0 to 63) drawn in its corner and a
// thin line at the unit square's edges.
float digit(int d, vec2 p) {
	// A 3×5 font: bit (4 − row) × 3 + (2 − column) of each number is set where the digit is
	// inked, rows counted from the top; p is in font pixels from the glyph's top left.
	const int font[10] = int[10](31599, 9362, 29671, 29647, 23497, 31183, 31215, 29257, 31727, 31695);
	if (p.x < 0.0 || p.y < 0.0 || p.x >= 3.0 || p.y >= 5.0) {
		return 0.0;
	}
	int bit = int(4.0 - floor(p.y)) * 3 + int(2.0 - floor(p.x));
	return float((font[d] >> bit) & 1);
}

vec3 checker(vec2 uv) {
	vec2 f = fract(uv);
	vec2 cell = floor(f * 8.0);
	vec2 in_cell = fract(f * 8.0);
	float odd = mod(cell.x + cell.y, 2.0);
	vec3 hue = clamp(abs(fract(cell.x / 8.0 + vec3(0.0, 2.0 / 3.0, 1.0 / 3.0)) * 6.0 - 3.0) - 1.0, 0.0, 1.0);
	vec3 c = mix(vec3(0.92), hue, 0.55) * mix(1.0, 0.55, cell.y / 7.0);
	c = mix(c, c * 0.35, odd);
	int n = int(cell.y * 8.0 + cell.x);
	// The number, upright as the texture is seen (glTF's v runs down the image).
	vec2 p = in_cell * 12.0 - 1.0;
	float ink = digit(n / 10, p) + digit(n - (n / 10) * 10, vec2(p.x - 4.0, p.y));
	c = mix(c, odd > 0.5 ? vec3(1.0) : vec3(0.0), clamp(ink, 0.0, 1.0));
	vec2 edge = min(f, 1.0 - f);
	vec2 w = fwidth(uv) * 1.5;
	float border = 1.0 - min(smoothstep(0.0, w.x, edge.x), smoothstep(0.0, w.y, edge.y));
	return mix(c, vec3(1.0, 0.1, 0.6), border);
}

void main() {
	int flags = int(Params.w);
	vec4 base = BaseColor;
	if ((flags & flagBase) != 0) {
		vec4 t = texture(BaseMap, mapUV(0));
		base *= vec4(toLinear(t.rgb), t.a);
	}
	if ((flags & flagColor) != 0) {
		base.rgb *= fs.color;
	}
	if (Params.z >= 0.0 && base.a < Params.z) {
		discard;
	}
	float alpha = (flags & flagBlend) != 0 ? clamp(base.a, 0.0, 1.0) : 1.0;
	float metal = clamp(Params.x, 0.0, 1.0);
	float rough = clamp(Params.y, 0.0, 1.0);
	if ((flags & flagMR) != 0) {
		vec4 mr = texture(MRMap, mapUV(1));
		rough *= mr.g;
		metal *= mr.b;
	}
	float ao = 1.0;
	if ((flags & flagOcclusion) != 0) {
		ao = 1.0 + MapParams.y * (texture(OcclusionMap, mapUV(3)).r - 1.0);
	}

	// The shading normal, facing the viewer on a double-sided surface's back.
	vec3 ng = normalize(fs.normal);
	if (!gl_FrontFacing) {
		ng = -ng;
	}
	vec3 n = ng;
	if ((flags & flagNormal) != 0) {
		// The meshes carry no TANGENT attribute, so the tangent frame comes from the screen-
		// space derivatives of position and UV (Schüler's cotangent frame). It follows the UVs
		// wherever they go, mirrored islands included: T is ∂p/∂u and B is −∂p/∂v, glTF's v
		// running down the image while a normal map's green points up it.
		vec2 uv = mapUV(2);
		vec3 dp1 = dFdx(fs.position), dp2 = dFdy(fs.position);
		vec2 duv1 = dFdx(uv), duv2 = dFdy(uv);
		vec3 dp2perp = cross(dp2, ng), dp1perp = cross(ng, dp1);
		vec3 T = dp2perp * duv1.x + dp1perp * duv2.x;
		vec3 B = dp2perp * duv1.y + dp1perp * duv2.y;
		float scale = max(dot(T, T), dot(B, B));
		if (scale > 0.0) {
			float inv = inversesqrt(scale);
			vec3 tn = texture(NormalMap, uv).xyz * 2.0 - 1.0;
			tn.xy *= MapParams.x;
			n = normalize(mat3(T * inv, -B * inv, ng) * tn);
		}
	}

	vec3 color;
	if (Look >= 2) {
		// The debug views: unlit, the value itself.
		if (Look == 2) {
			color = ViewToWorld * n * 0.5 + 0.5;
		} else if (Look == 3) {
			color = (flags & flagUV) != 0 ? checker(fs.uv) : vec3(0.5, 0.0, 0.5);
		} else if (Look == 4) {
			color = toSRGB(base.rgb);
		} else if (Look == 5) {
			color = vec3(rough);
		} else if (Look == 6) {
			color = vec3(metal);
		} else {
			color = vec3(ao);
		}
		alpha = 1.0;
	} else {
		bool clay = Look == 1;
		if (clay) {
			base = vec4(clayColor, 1.0);
			metal = 0.0;
			rough = 0.75;
			ao = 1.0;
			alpha = 1.0;
		}
		if ((flags & flagUnlit) != 0 && !clay) {
			color = base.rgb;
		} else {
			vec3 v = normalize(-fs.position);
			float nv = max(dot(n, v), 1e-4);
			vec3 diffuse = base.rgb * (1.0 - metal);
			vec3 f0 = mix(vec3(0.04), base.rgb, metal);
			float alphaR = max(rough * rough, 0.002);
			vec3 r = reflect(-v, n);
			if (Lighting == 0) {
				vec3 nw = ViewToWorld * n;
				vec3 rw = ViewToWorld * r;
				vec2 ab = envBRDF(nv, rough);
				vec3 spec = envSample(rw, rough * EnvLod) * (f0 * ab.x + ab.y);
				color = (diffuse * irradiance(nw) + spec) * ao;
			} else {
				vec3 seen = normalize(mix(r, n, rough));
				vec3 ambient = mix(groundColor, skyColor, dot(n, UpDir) * 0.5 + 0.5);
				vec3 mirror = mix(groundColor, skyColor, smoothstep(-0.3, 0.3, dot(seen, UpDir))) * 1.6;
				vec2 ab = envBRDF(nv, rough);
				color = (diffuse * ambient + mirror * (f0 * ab.x + ab.y)) * ao;
				color += direct(n, v, KeyDir, keyColor, diffuse, f0, alphaR);
				color += direct(n, v, FillDir, fillColor, diffuse, f0, alphaR);
				color += direct(n, v, RimDir, rimColor, diffuse, f0, alphaR);
			}
		}
		if (!clay) {
			vec3 e = Emissive;
			if ((flags & flagEmissive) != 0) {
				e *= toLinear(texture(EmissiveMap, mapUV(4)).rgb);
			}
			color += e;
		}
		if ((flags & flagUnlit) == 0 || clay) {
			color *= Exposure;
			if (ToneMap == 0) {
				color = aces(color);
			} else if (ToneMap == 1) {
				color = neutral(color);
			}
		}
		color = toSRGB(color);
	}
#ifdef WIRE
	vec3 d = fwidth(Bary);
	vec3 edge3 = smoothstep(vec3(0.0), d * 1.25 * LineScale, Bary);
	float edge = (1.0 - min(min(edge3.x, edge3.y), edge3.z)) * WireStrength;
	float luma = dot(color, vec3(0.299, 0.587, 0.114));
	vec3 line = luma > 0.5 ? color * 0.22 : mix(color, vec3(1.0), 0.8);
	color = mix(color, line, edge);
#endif
	FragColor = vec4(color * alpha, alpha);
}
`

// lineVertex and lineFragment draw the ground grid: flat colour, no lighting.
const lineVertex = `
layout(location = 0) in vec3 VertexPosition;
uniform mat4 MVP;
void main() {
	gl_Position = MVP * vec4(VertexPosition, 1.0);
}
`

const lineFragment = `
uniform vec4 LineColor; // sRGB, straight alpha
out vec4 FragColor;
void main() {
	FragColor = LineColor;
}
`
