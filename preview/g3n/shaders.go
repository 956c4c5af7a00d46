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

// surfaceFragment lights with a studio set-up fixed to the camera, so that no view leaves a
// side pitch black: a hemisphere (sky above, ground below, in world terms) for the ambient,
// a warm key light from the upper left, a cool fill from the right and a rim from behind that
// outlines the silhouette. Metals, with no environment map to reflect, reflect the hemisphere.
// Lighting is done in linear light; textures and the output are sRGB.
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

uniform sampler2D MatTexture;
uniform vec4 BaseColor;     // linear RGBA
uniform vec3 Emissive;      // linear
uniform vec4 Params;        // metallic, roughness, alpha cutoff (< 0: none), flags
uniform int Look;           // 0 shaded, 1 clay
uniform vec3 KeyDir;        // camera space, toward the light
uniform vec3 FillDir;
uniform vec3 RimDir;
uniform vec3 UpDir;         // world up in camera space
uniform float LineScale;    // wireframe line width, in pixels of the drawn frame

const vec3 keyColor = vec3(1.55, 1.47, 1.36);
const vec3 fillColor = vec3(0.30, 0.34, 0.40);
const vec3 rimColor = vec3(0.55, 0.55, 0.55);
const vec3 skyColor = vec3(0.30, 0.32, 0.36);
const vec3 groundColor = vec3(0.11, 0.10, 0.09);
const vec3 clayColor = vec3(0.50, 0.48, 0.45);
const float exposure = 0.55;

const int flagTexture = 1;
const int flagColor = 2;
const int flagUnlit = 4;

out vec4 FragColor;

// tonemap is Narkowicz's fit of the ACES filmic curve: highlights roll off instead of
// clipping, so a white model under the key light keeps its shape.
vec3 tonemap(vec3 x) {
	return clamp((x * (2.51 * x + 0.03)) / (x * (2.43 * x + 0.59) + 0.14), 0.0, 1.0);
}

vec3 light(vec3 n, vec3 v, vec3 l, vec3 color, vec3 diffuse, vec3 specular, float shininess) {
	float ndl = max(dot(n, l), 0.0);
	vec3 h = normalize(l + v);
	float spec = pow(max(dot(n, h), 0.0), shininess) * (shininess + 8.0) / 8.0;
	return color * ndl * (diffuse + specular * spec);
}

void main() {
	int flags = int(Params.w);
	bool clay = Look == 1;
	vec4 base = BaseColor;
	if ((flags & flagTexture) != 0) {
		vec4 t = texture(MatTexture, fs.uv);
		base *= vec4(pow(t.rgb, vec3(2.2)), t.a);
	}
	if ((flags & flagColor) != 0) {
		base.rgb *= fs.color;
	}
	if (Params.z >= 0.0 && base.a < Params.z) {
		discard;
	}
	vec3 color;
	if (clay) {
		base = vec4(clayColor, 1.0);
	}
	if ((flags & flagUnlit) != 0 && !clay) {
		color = base.rgb;
	} else {
		vec3 n = normalize(fs.normal);
		if (!gl_FrontFacing) {
			n = -n;
		}
		vec3 v = normalize(-fs.position);
		float metal = clay ? 0.0 : clamp(Params.x, 0.0, 1.0);
		float rough = clay ? 0.75 : clamp(Params.y, 0.04, 1.0);
		vec3 diffuse = base.rgb * (1.0 - metal);
		vec3 specular = mix(vec3(0.04), base.rgb, metal);
		float a = rough * rough;
		float shininess = clamp(2.0 / (a * a) - 2.0, 1.0, 2048.0);

		// The hemisphere: diffuse by the normal, reflection by the mirror direction,
		// blurred toward the normal as the surface gets rough.
		vec3 r = reflect(-v, n);
		vec3 seen = normalize(mix(r, n, rough));
		vec3 ambient = mix(groundColor, skyColor, dot(n, UpDir) * 0.5 + 0.5);
		vec3 mirror = mix(groundColor, skyColor, smoothstep(-0.3, 0.3, dot(seen, UpDir))) * 1.6;
		color = diffuse * ambient + specular * mirror;
		color += light(n, v, KeyDir, keyColor, diffuse, specular, shininess);
		color += light(n, v, FillDir, fillColor, diffuse, specular, shininess);
		color += light(n, v, RimDir, rimColor, diffuse, specular, shininess);
	}
	if (!clay) {
		color += Emissive;
	}
	if ((flags & flagUnlit) == 0 || clay) {
		color = tonemap(color * exposure);
	}
	color = pow(clamp(color, 0.0, 1.0), vec3(1.0 / 2.2));
#ifdef WIRE
	vec3 d = fwidth(Bary);
	vec3 edge3 = smoothstep(vec3(0.0), d * 1.25 * LineScale, Bary);
	float edge = (1.0 - min(min(edge3.x, edge3.y), edge3.z)) * WireStrength;
	float luma = dot(color, vec3(0.299, 0.587, 0.114));
	vec3 line = luma > 0.5 ? color * 0.22 : mix(color, vec3(1.0), 0.8);
	color = mix(color, line, edge);
#endif
	FragColor = vec4(color, base.a);
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
