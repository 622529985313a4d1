package io.github.cachetags.serializer;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindContext;
import tools.jackson.databind.DefaultTyping;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.jsontype.NamedType;
import tools.jackson.databind.jsontype.PolymorphicTypeValidator;
import tools.jackson.databind.jsontype.TypeIdResolver;
import tools.jackson.databind.jsontype.impl.DefaultTypeResolverBuilder;

/**
 * Jackson's default typing for every value whose declared type is not final (so for a cached value itself, whose
 * declared type is {@code Object}), with class names as type ids in the {@code "@class"} property, checked against
 * {@link AllowedTypes} when read and already when written: a value that could not be read back is not stored.
 */
final class AllowListTyping extends DefaultTypeResolverBuilder {

	private static final long serialVersionUID = 1L;

	private final AllowedTypes allowedTypes;

	private final Map<String, Boolean> checkedIds = new ConcurrentHashMap<>();

	AllowListTyping(AllowedTypes allowedTypes, String typeProperty) {
		super(allowedTypes, DefaultTyping.NON_FINAL, JsonTypeInfo.As.PROPERTY, JsonTypeInfo.Id.CLASS, typeProperty);
		this.allowedTypes = allowedTypes;
	}

	@Override
	protected TypeIdResolver idResolver(DatabindContext context, JavaType baseType,
			PolymorphicTypeValidator validator, @Nullable Collection<NamedType> subtypes, boolean forSerialization,
			boolean forDeserialization) {
		TypeIdResolver resolver = super.idResolver(context, baseType, validator, subtypes, forSerialization,
				forDeserialization);
		return forSerialization ? new CheckedIds(resolver) : resolver;
	}

	private String checked(DatabindContext context, String typeId) {
		boolean allowed = this.checkedIds.computeIfAbsent(typeId,
				(id) -> this.allowedTypes.isAllowedTypeId(id, context.getTypeFactory()));
		if (!allowed) {
			throw DisallowedTypeException.writing(typeId, this.allowedTypes.packages());
		}
		return typeId;
	}

	private final class CheckedIds implements TypeIdResolver {

		private final TypeIdResolver delegate;

		CheckedIds(TypeIdResolver delegate) {
			this.delegate = delegate;
		}

		@Override
		public void init(JavaType baseType) {
			this.delegate.init(baseType);
		}

		@Override
		public String idFromValue(DatabindContext context, Object value) throws JacksonException {
			return checked(context, this.delegate.idFromValue(context, value));
		}

		@Override
		public String idFromValueAndType(DatabindContext context, Object value, Class<?> suggestedType)
				throws JacksonException {
			return checked(context, this.delegate.idFromValueAndType(context, value, suggestedType));
		}

		@Override
		public String idFromBaseType(DatabindContext context) throws JacksonException {
			return checked(context, this.delegate.idFromBaseType(context));
		}

		@Override
		public JavaType typeFromId(DatabindContext context, String id) throws JacksonException {
			return this.delegate.typeFromId(context, id);
		}

		@Override
		public String getDescForKnownTypeIds() {
			return this.delegate.getDescForKnownTypeIds();
		}

		@Override
		public JsonTypeInfo.Id getMechanism() {
			return this.delegate.getMechanism();
		}

	}

}
